using System.Buffers;
using System.Text;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Literal text a rule's message pattern cannot match without: when a message holds none of it, the regular
/// expression is not run at all. Most messages match no rule, and one vectorised substring search costs a fraction of
/// a regex scan. Read from the pattern conservatively: a pattern it does not fully understand gets no prefilter.
/// </summary>
public sealed class MessagePrefilter
{
    // Shorter literals ("404") still pay off; a prefilter on one or two characters would pass nearly every message.
    private const int ShortestLiteral = 3;

    private readonly SearchValues<string> _literals;

    public IReadOnlyList<string> Literals { get; }

    private MessagePrefilter(IReadOnlyList<string> literals)
    {
        Literals = literals;
        _literals = SearchValues.Create([.. literals], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// False only when the pattern cannot match <paramref name="message"/>. Beyond <see cref="AsciiAlike"/> text the
    /// regex's case folding (a Kelvin sign is a 'k' to it) is not what an ordinal comparison does, so such a message
    /// always goes to the regex.
    /// </summary>
    public bool MayMatch(string message) => MayMatch(message, AsciiAlike.ForLiterals(message));

    /// <summary>As above, for a message already known to be ASCII-alike (<see cref="AsciiAlike"/>) or not.</summary>
    internal bool MayMatch(string message, bool ascii) => !ascii || message.AsSpan().IndexOfAny(_literals) >= 0;

    /// <summary>The prefilter of a case-insensitive pattern, or null when some match of it may hold no literal this can name.</summary>
    public static MessagePrefilter? For(string pattern)
    {
        // Inline options that change what a space or a letter means, escapes naming characters by number or
        // property, and back-references are left to the regex.
        if (pattern.Contains("(?x", StringComparison.Ordinal) || pattern.Contains("(?-i", StringComparison.Ordinal)) return null;
        var literals = new List<string>();
        foreach (var alternative in SplitTopLevel(pattern))
        {
            if (RequiredLiterals(alternative) is not { } required) return null;
            literals.AddRange(required);
        }
        return literals.Count > 0 ? new MessagePrefilter([.. literals.Distinct(StringComparer.OrdinalIgnoreCase)]) : null;
    }

    /// <summary>The pattern's top-level alternatives (a '|' outside groups and character classes).</summary>
    private static List<string> SplitTopLevel(string pattern)
    {
        var parts = new List<string>();
        var depth = 0;
        var start = 0;
        for (var i = 0; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\': i++; break;
                case '[': i = EndOfClass(pattern, i); break;
                case '(': depth++; break;
                case ')': depth--; break;
                case '|' when depth == 0:
                    parts.Add(pattern[start..i]);
                    start = i + 1;
                    break;
            }
        }
        parts.Add(pattern[start..]);
        return parts;
    }

    /// <summary>
    /// Literals one of which every match of a sequence (one alternative) contains, or null: its longest required run
    /// of plain characters or, when it has none of three characters ("\b50[0234] (internal|bad gateway)"), the literals
    /// of a group every match passes through, each of whose alternatives needs one.
    /// </summary>
    private static IReadOnlyList<string>? RequiredLiterals(string sequence)
    {
        if (LongestRequiredLiteral(sequence) is { } literal) return [literal];
        for (var i = 0; i < sequence.Length; i++)
        {
            switch (sequence[i])
            {
                case '\\':
                    i++;
                    break;
                case '[':
                    i = EndOfClass(sequence, i);
                    break;
                case '(':
                    var close = EndOfGroup(sequence, i);
                    if (close < 0) return null;
                    // A group made optional by a quantifier, and look-arounds, options and named groups, are not required text.
                    var optional = close + 1 < sequence.Length && sequence[close + 1] is '?' or '*' or '{';
                    if (!optional && i + 1 < close && sequence[i + 1] != '?')
                    {
                        var inner = SplitTopLevel(sequence[(i + 1)..close]).Select(RequiredLiterals).ToList();
                        if (inner.All(l => l is not null)) return [.. inner.SelectMany(l => l!)];
                    }
                    i = close;
                    break;
            }
        }
        return null;
    }

    /// <summary>
    /// The longest run of plain characters that every match of a sequence (one alternative) must contain, or null.
    /// Groups, classes, escapes and '.' end a run; a character made optional by a quantifier leaves it.
    /// </summary>
    private static string? LongestRequiredLiteral(string sequence)
    {
        var best = "";
        var run = new StringBuilder();
        void EndRun()
        {
            if (run.Length > best.Length) best = run.ToString();
            run.Clear();
        }
        for (var i = 0; i < sequence.Length; i++)
        {
            var c = sequence[i];
            switch (c)
            {
                case '(':
                    EndRun();
                    i = EndOfGroup(sequence, i);
                    if (i < 0) return null;
                    break;
                case '[':
                    EndRun();
                    i = EndOfClass(sequence, i);
                    break;
                case '?' or '*' or '{':
                    // The character before is optional (or repeated a number of times this does not read): drop it.
                    if (run.Length > 0) run.Length--;
                    EndRun();
                    if (c == '{') i = sequence.IndexOf('}', i) is var close and >= 0 ? close : sequence.Length;
                    break;
                case '+':
                    EndRun(); // the character before stays: it appears at least once
                    break;
                case '.' or '^' or '$' or ')' or '|':
                    EndRun();
                    break;
                case '\\':
                    if (i + 1 >= sequence.Length) return null;
                    var escaped = sequence[++i];
                    if (char.IsAsciiLetterOrDigit(escaped))
                    {
                        // \d \w \s \b …: a class or an anchor ends the run; numbered or named characters and
                        // back-references (\x41, \u0041, \p{L}, \k<n>, \1) are not read at all.
                        if (escaped is 'x' or 'u' or 'p' or 'P' or 'k' or 'c' or 'e' or 'a' or 'f' or 'n' or 'r' or 't' or 'v' || char.IsAsciiDigit(escaped)) return null;
                        EndRun();
                    }
                    else if (char.IsAscii(escaped)) run.Append(escaped);
                    else return null;
                    break;
                default:
                    if (!char.IsAscii(c) || char.IsWhiteSpace(c) && c != ' ') return null;
                    run.Append(c);
                    break;
            }
        }
        EndRun();
        return best.Length >= ShortestLiteral ? best : null;
    }

    /// <summary>The index of the ')' closing the group opened at <paramref name="open"/>, or -1.</summary>
    private static int EndOfGroup(string pattern, int open)
    {
        var depth = 0;
        for (var i = open; i < pattern.Length; i++)
        {
            switch (pattern[i])
            {
                case '\\': i++; break;
                case '[': i = EndOfClass(pattern, i); break;
                case '(': depth++; break;
                case ')' when --depth == 0: return i;
            }
        }
        return -1;
    }

    /// <summary>The index of the ']' closing the class opened at <paramref name="open"/> (a ']' first in the class is a member).</summary>
    private static int EndOfClass(string pattern, int open)
    {
        var i = open + 1;
        if (i < pattern.Length && pattern[i] == '^') i++;
        if (i < pattern.Length && pattern[i] == ']') i++;
        for (; i < pattern.Length; i++)
        {
            if (pattern[i] == '\\') i++;
            else if (pattern[i] == ']') return i;
        }
        return pattern.Length;
    }
}
