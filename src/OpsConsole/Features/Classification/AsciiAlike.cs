using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Whether a text may be searched for ASCII spellings, ignoring case, as if it were ASCII: every character it has
/// beyond ASCII is one that no case-insensitive comparison — the regex's or an ordinal one — takes for an ASCII
/// character (unlike the Kelvin sign, a 'k' to the regex), so it can only fail to match an ASCII spelling, whichever
/// way the text is searched. A message with an arrow or a typographic quote ("compute1 → compute2") then takes the
/// literal searches and pair tests instead of every candidate rule's regex, and the phrase tables' one search instead
/// of one per table (such a record cost 4 µs, five times the mean).
/// </summary>
internal static class AsciiAlike
{
    /// <summary>Characters beyond ASCII that some case-insensitive comparison equates with an ASCII character.</summary>
    private static readonly SearchValues<char> Folding = SearchValues.Create(FoldingCharacters());

    /// <summary>
    /// Those, and the characters beyond ASCII that a phrase table's own search counts as word characters (letters,
    /// digits, marks, connectors), which the phrase tables' one search, reading ASCII word characters, would not.
    /// </summary>
    private static readonly SearchValues<char> FoldingOrWord = SearchValues.Create(
        [.. FoldingCharacters(), .. Beyond().Where(c => char.IsLetterOrDigit(c)
            || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation)]);

    /// <summary>For the rules' literal searches and pair tests.</summary>
    public static bool ForLiterals(string text) => Ascii.IsValid(text) || text.AsSpan().IndexOfAny(Folding) < 0;

    /// <summary>For the phrase tables' one search (<see cref="Vocabulary.PhraseGroup"/>).</summary>
    public static bool ForPhrases(string text) => Ascii.IsValid(text) || text.AsSpan().IndexOfAny(FoldingOrWord) < 0;

    private static IEnumerable<char> Beyond() => Enumerable.Range(128, char.MaxValue - 127).Select(c => (char)c);

    private static char[] FoldingCharacters()
    {
        // The regex's equivalences, as the rules' regexes use them (a class of all ASCII, ignoring case, matches
        // exactly the characters it equates with some ASCII character), and an ordinal comparison's (upper-casing).
        var beyond = new string([.. Beyond()]);
        var regex = new Regex("[\\x00-\\x7F]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        var byRegex = regex.Matches(beyond).Select(m => m.Value[0]);
        var byOrdinal = beyond.Where(c => char.ToUpperInvariant(c) < 128 || char.ToLowerInvariant(c) < 128);
        return [.. byRegex.Concat(byOrdinal).Distinct()];
    }
}
