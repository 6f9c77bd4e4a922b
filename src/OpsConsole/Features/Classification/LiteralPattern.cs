using System.Buffers;
using System.Text;

namespace OpsConsole.Features.Classification;

/// <summary>
/// A message pattern that is nothing but plain alternatives ("maximum allowed cores exceeded|OverQuota"): one
/// vectorised search finds the match the regex would (the leftmost position where an alternative occurs, and there
/// the first alternative in pattern order, ignoring case) without running the regex at all. About a third of the
/// shipped patterns are like this.
/// </summary>
public sealed class LiteralPattern
{
    /// <summary>Characters that make a pattern more than literal text (']' and '}' are literal to .NET, but left to the regex anyway).</summary>
    private static readonly SearchValues<char> Special = SearchValues.Create("\\^$.|?*+()[]{}#");

    private readonly string[] _alternatives;
    private readonly SearchValues<string> _any;

    public IReadOnlyList<string> Alternatives => _alternatives;

    private LiteralPattern(string[] alternatives)
    {
        _alternatives = alternatives;
        _any = SearchValues.Create(alternatives, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The pattern as plain alternatives, or null when any part of it means more than its characters.</summary>
    public static LiteralPattern? For(string pattern)
    {
        var alternatives = pattern.Split('|');
        foreach (var alternative in alternatives)
        {
            // An empty alternative matches everywhere; control characters and non-ASCII text are the regex's business.
            if (alternative.Length == 0 || alternative.AsSpan().IndexOfAny(Special) >= 0 || !Ascii.IsValid(alternative)
                || alternative.Any(char.IsControl)) return null;
        }
        return new LiteralPattern(alternatives);
    }

    /// <summary>
    /// The regex's match in <paramref name="message"/>, or null when this cannot say: outside ASCII the regex's case
    /// folding (a Kelvin sign is a 'k' to it) is not an ordinal comparison's, so such a message goes to the regex.
    /// </summary>
    public bool? TryMatch(string message, out string matched)
    {
        matched = "";
        if (!Ascii.IsValid(message)) return null;
        var at = message.AsSpan().IndexOfAny(_any);
        if (at < 0) return false;
        foreach (var alternative in _alternatives)
        {
            if (message.AsSpan(at).StartsWith(alternative, StringComparison.OrdinalIgnoreCase))
            {
                matched = message.Substring(at, alternative.Length);
                return true;
            }
        }
        throw new InvalidOperationException($"the search found an alternative at {at} that none of {string.Join('|', _alternatives)} matches");
    }
}
