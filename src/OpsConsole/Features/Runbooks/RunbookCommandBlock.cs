using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsConsole.Features.Runbooks;

/// <summary>
/// A runbook command block with its <c>{{placeholders}}</c> filled for the shell it is written for. Record
/// values come from senders, so a value is pasted only as one word of that shell: quoted where the template
/// leaves it bare (POSIX single quotes, or PowerShell's), inserted as-is inside the template's own quotes.
/// A value that cannot be an identifier at all (shell syntax such as <c>;</c> or <c>$(</c>, quotes, control
/// characters) is shown as it is, marked, and the block loses its Copy button behind a warning.
/// </summary>
public static partial class RunbookCommandBlock
{
    private const string CopyButton = "<button type=\"button\" class=\"copy-code\" title=\"Copy to clipboard\">Copy</button>";

    /// <summary>
    /// Renders one <c>&lt;pre&gt;&lt;code&gt;</c> block; <paramref name="encodedCode"/> is Markdig's HTML-encoded text,
    /// <paramref name="runtimes"/> the runtimes its fence declares (comma-separated, empty for all), shown as a label.
    /// </summary>
    public static string Render(string language, string encodedCode, IReadOnlyDictionary<string, string>? values, string runtimes = "")
    {
        var powerShell = language is "powershell" or "pwsh" or "ps1" or "ps";
        var code = WebUtility.HtmlDecode(encodedCode);
        var body = new StringBuilder(code.Length + 64);
        var refused = new List<string>();
        var quote = '\0'; // the template's own quote around the current position
        var position = 0;
        foreach (Match match in Placeholder().Matches(code))
        {
            var before = code[position..match.Index];
            quote = QuoteAfter(before, quote, powerShell);
            body.Append(WebUtility.HtmlEncode(before));
            var name = match.Groups["name"].Value;
            if (values is null || !values.TryGetValue(name, out var value))
                body.Append($"<span class=\"placeholder missing\" data-placeholder=\"{name}\" title=\"{RunbookPlaceholders.FillIn(name)}\">{WebUtility.HtmlEncode(match.Value)}</span>");
            else if (!IsPlausibleIdentifier(value))
            {
                refused.Add(name);
                body.Append($"<span class=\"placeholder suspicious\" data-placeholder=\"{name}\" title=\"not a valid {name}\">{WebUtility.HtmlEncode(value)}</span>");
            }
            else
            {
                var word = quote == '\0' ? (powerShell ? PowerShellQuote(value) : PosixQuote(value)) : value;
                body.Append($"<span class=\"placeholder filled\" data-placeholder=\"{name}\">{WebUtility.HtmlEncode(word)}</span>");
            }
            position = match.Index + match.Length;
        }
        body.Append(WebUtility.HtmlEncode(code[position..]));

        var languageClass = language.Length > 0 ? $" class=\"language-{WebUtility.HtmlEncode(language)}\"" : "";
        var label = runtimes.Length > 0
            ? $"<div class=\"code-for\">for {WebUtility.HtmlEncode(runtimes.Replace(",", ", ", StringComparison.Ordinal))}</div>" : "";
        var forAttribute = runtimes.Length > 0 ? $" data-for=\"{WebUtility.HtmlEncode(runtimes)}\"" : "";
        var pre = $"{label}<pre><code{languageClass}>{body}</code></pre>";
        if (refused.Count == 0) return $"<div class=\"code-block\"{forAttribute}>{CopyButton}{pre}</div>";
        var names = string.Join(", ", refused.Distinct().Select(n => $"<code>{n}</code>"));
        return $"<div class=\"code-block unsafe\"{forAttribute}><div class=\"code-warning\" role=\"alert\">Not copyable: the record's {names} "
             + $"contains shell syntax and cannot be a real name. Check the record before running anything from it.</div>{pre}</div>";
    }

    /// <summary>
    /// True for what a real name, id or key can look like on the systems the runbooks address. Spaces are
    /// allowed (they get quoted); shell syntax, quotes, globs and control characters are not.
    /// </summary>
    public static bool IsPlausibleIdentifier(string value) =>
        value.Length is > 0 and <= 512 && !value.Any(c => char.IsControl(c) || ";|&$`<>(){}[]!*?\"'\\#~^\n".Contains(c));

    /// <summary>One POSIX shell word: bare when only safe characters, else single-quoted.</summary>
    public static string PosixQuote(string value) =>
        SafeWord().IsMatch(value) ? value : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>One PowerShell argument: bare when only safe characters, else single-quoted ('' escapes ').</summary>
    public static string PowerShellQuote(string value) =>
        SafeWord().IsMatch(value) ? value : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The template's quote state after <paramref name="text"/>, starting in <paramref name="quote"/>.</summary>
    private static char QuoteAfter(string text, char quote, bool powerShell)
    {
        var escape = powerShell ? '`' : '\\';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\n' && quote == '\0') continue;
            if (quote == '\'') { if (c == '\'') quote = '\0'; continue; }
            if (c == escape) { i++; continue; }
            if (quote == '"') { if (c == '"') quote = '\0'; continue; }
            if (c is '\'' or '"') quote = c;
        }
        return quote;
    }

    [GeneratedRegex(@"\{\{\s*(?<name>[A-Za-z][A-Za-z0-9]*)\s*\}\}")]
    private static partial Regex Placeholder();

    [GeneratedRegex("^[A-Za-z0-9._:/@%+=,-]+$")]
    private static partial Regex SafeWord();
}
