using System.Buffers;
using System.Text;

namespace OpsConsole.Features.Classification;

/// <summary>
/// A message pattern that stands for a short list of plain spellings ("maximum allowed cores exceeded|OverQuota",
/// "download cancell?ed", "oom[-_ ]?kill", "could(n't| not) (connect|resolve)"): one vectorised search finds the
/// match the regex would (the leftmost position where a spelling occurs, and there the first spelling in the order
/// the regex tries them, ignoring case) without running the regex at all. Most of the shipped patterns are like this.
/// </summary>
public sealed class LiteralPattern
{
    // A pattern that spells out to more than this is left to the regex (and its prefilter).
    private const int MostSpellings = 64;

    private readonly string[] _alternatives;
    private readonly SearchValues<string> _any;

    /// <summary>The spellings, in the order the regex tries them at one position.</summary>
    public IReadOnlyList<string> Alternatives => _alternatives;

    private LiteralPattern(string[] alternatives)
    {
        _alternatives = alternatives;
        _any = SearchValues.Create(alternatives, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The pattern as plain spellings, or null when any part of it means more than a few spellings can say.</summary>
    public static LiteralPattern? For(string pattern)
    {
        var at = 0;
        if (Spellings(pattern, ref at, nested: false) is not { } spellings || at != pattern.Length) return null;
        // Two spellings the same but for case: the regex never gets to try the later one.
        var distinct = spellings.Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        // An empty spelling matches everywhere; control characters and non-ASCII text are the regex's business.
        if (distinct.Any(s => s.Length == 0 || !Ascii.IsValid(s) || s.Any(char.IsControl))) return null;
        return new LiteralPattern(distinct);
    }

    /// <summary>
    /// The spellings of alternatives separated by '|' up to a ')' (when <paramref name="nested"/>) or the end, in the
    /// regex's order: alternative by alternative, and within one, earlier choices varying slowest. Null for anything
    /// but plain characters, escaped punctuation, groups, simple classes and a greedy '?'.
    /// </summary>
    private static List<string>? Spellings(string pattern, ref int at, bool nested)
    {
        var all = new List<string>();
        while (true)
        {
            if (Sequence(pattern, ref at) is not { } sequence) return null;
            all.AddRange(sequence);
            if (all.Count > MostSpellings) return null;
            if (at < pattern.Length && pattern[at] == '|')
            {
                at++;
                continue;
            }
            if (at < pattern.Length && pattern[at] == ')' && !nested) return null;
            return all;
        }
    }

    private static List<string>? Sequence(string pattern, ref int at)
    {
        List<string> prefixes = [""];
        while (at < pattern.Length && pattern[at] is not '|' and not ')')
        {
            if (Atom(pattern, ref at) is not { } options) return null;
            if (at < pattern.Length && pattern[at] == '?')
            {
                at++;
                if (at < pattern.Length && pattern[at] is '?' or '+') return null; // lazy or possessive: another order
                options.Add(""); // greedy: the spellings with the part come first
            }
            if (at < pattern.Length && pattern[at] is '*' or '+' or '{') return null;
            if ((long)prefixes.Count * options.Count > MostSpellings) return null;
            prefixes = [.. prefixes.SelectMany(p => options.Select(o => p + o))];
        }
        return prefixes;
    }

    /// <summary>One character, escaped punctuation, a class of plain characters or a group, as its spellings.</summary>
    private static List<string>? Atom(string pattern, ref int at)
    {
        var c = pattern[at++];
        switch (c)
        {
            case '(':
                if (at < pattern.Length && pattern[at] == '?') return null; // options, look-arounds, named groups
                var inner = Spellings(pattern, ref at, nested: true);
                if (inner is null || at >= pattern.Length || pattern[at] != ')') return null;
                at++;
                return inner;
            case '[':
                var close = pattern.IndexOf(']', at + 1); // a ']' first in a class is a member
                if (close < 0) return null;
                var members = pattern[at..close];
                at = close + 1;
                // Negation, escapes, nested classes and ranges ('-' between two members) mean more than their characters.
                if (members[0] == '^' || members.AsSpan().IndexOfAny('\\', '[') >= 0 || members.AsSpan(1, Math.Max(0, members.Length - 2)).Contains('-')) return null;
                return [.. members.Distinct().Select(m => m.ToString())];
            case '\\':
                if (at >= pattern.Length) return null;
                var escaped = pattern[at++];
                // \d \w \b \x41 …: classes, anchors and numbered characters; escaped punctuation is itself.
                return char.IsAscii(escaped) && !char.IsAsciiLetterOrDigit(escaped) && !char.IsWhiteSpace(escaped) ? [escaped.ToString()] : null;
            case '.' or '^' or '$' or '*' or '+' or '?' or '{' or '#' or ']' or '}':
                return null;
            default:
                return [c.ToString()];
        }
    }

    /// <summary>
    /// The regex's match in <paramref name="message"/>, or null when this cannot say: beyond <see cref="AsciiAlike"/> text the regex's case
    /// folding (a Kelvin sign is a 'k' to it) is not an ordinal comparison's, so such a message goes to the regex.
    /// </summary>
    public bool? TryMatch(string message, out string matched)
    {
        var found = TryMatch(message, AsciiAlike.ForLiterals(message), out var range);
        matched = found == true ? message[range] : "";
        return found;
    }

    /// <summary>As above, for a message already known to be ASCII-alike or not; the match as its place in the message.</summary>
    internal bool? TryMatch(string message, bool ascii, out Range matched)
    {
        matched = default;
        if (!ascii) return null;
        var at = message.AsSpan().IndexOfAny(_any);
        if (at < 0) return false;
        foreach (var alternative in _alternatives)
        {
            if (message.AsSpan(at).StartsWith(alternative, StringComparison.OrdinalIgnoreCase))
            {
                matched = at..(at + alternative.Length);
                return true;
            }
        }
        throw new InvalidOperationException($"the search found an alternative at {at} that none of {string.Join('|', _alternatives)} matches");
    }
}
