using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// Finds the leftmost phrase of a table in a text in one vectorised pass (<see cref="SearchValues{T}"/> of strings,
/// an Aho-Corasick-like multi-substring search), ignoring case, with any run of white space in the text standing for
/// the single space of a phrase. At one position the longest phrase wins, and a phrase that starts or ends with a word
/// character must stand as a whole word there — what one regex alternation of the phrases did, without backtracking.
/// </summary>
public sealed class PhraseSearch
{
    /// <summary>White space other than the plain space: a text holding none needs no normalising (the common case).</summary>
    private static readonly SearchValues<char> OddWhiteSpace = SearchValues.Create(
        [.. Enumerable.Range(0, char.MaxValue + 1).Select(c => (char)c).Where(c => c != ' ' && char.IsWhiteSpace(c))]);

    private readonly SearchValues<string> _any;
    private readonly (string Phrase, bool WholeWordStart, bool WholeWordEnd)[] _longestFirst;

    /// <param name="phrases">Normalised phrases (see <see cref="VocabularyTable.NormalisePhrase"/>): trimmed, single-spaced.</param>
    public PhraseSearch(IEnumerable<string> phrases)
    {
        _longestFirst = [.. phrases.OrderByDescending(p => p.Length).ThenBy(p => p, StringComparer.Ordinal)
            .Select(p => (p, IsWordChar(p[0]), IsWordChar(p[^1])))];
        _any = SearchValues.Create([.. _longestFirst.Select(p => p.Phrase)], StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The phrase found first in <paramref name="text"/>, and where it matched there: <c>text[start..end]</c> is the text with its own spacing and case.</summary>
    public bool TryFind(string text, out string phrase, out int start, out int end)
    {
        var normalised = Normalise(VocabularyScan.Current, text, out var origin);
        var span = normalised.AsSpan();
        for (var from = 0; from < span.Length;)
        {
            var at = span[from..].IndexOfAny(_any);
            if (at < 0) break;
            at += from;
            foreach (var (candidate, wordStart, wordEnd) in _longestFirst)
            {
                var stop = at + candidate.Length;
                if (stop > span.Length || !span.Slice(at, candidate.Length).Equals(candidate, StringComparison.OrdinalIgnoreCase)) continue;
                if (wordStart && at > 0 && IsWordChar(span[at - 1])) continue;
                if (wordEnd && stop < span.Length && IsWordChar(span[stop])) continue;
                phrase = candidate;
                (start, end) = Found(origin, at, stop);
                return true;
            }
            from = at + 1;
        }
        phrase = "";
        start = end = 0;
        return false;
    }

    /// <summary>Where <c>[at, end)</c> of a text's normalised form is in the text, with its own spacing (<paramref name="origin"/> from <see cref="Normalise"/>).</summary>
    internal static (int Start, int End) Found(int[]? origin, int at, int end) =>
        origin is null ? (at, end) : (origin[at], origin[end - 1] + 1);

    /// <summary>
    /// Whether the text is printable ASCII with no two spaces in a row: then it is its own normalised form
    /// (<see cref="Normalise"/>) and <see cref="AsciiAlike.ForPhrases"/>, said in one pass instead of three.
    /// </summary>
    internal static bool IsPlain(ReadOnlySpan<char> text)
    {
        ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        var i = 0;
        if (Vector256.IsHardwareAccelerated && text.Length > 16)
        {
            var space = Vector256.Create((ushort)' ');
            var printable = Vector256.Create((ushort)('~' - ' '));
            var odd = Vector256<ushort>.Zero;
            // Each block with the character after each of its own, for two spaces in a row; the last block may
            // overlap the one before.
            for (var last = text.Length - 17; ; i += 16)
            {
                if (i > last) i = last;
                var current = Vector256.LoadUnsafe(ref chars, (nuint)i);
                var next = Vector256.LoadUnsafe(ref chars, (nuint)(i + 1));
                odd |= Vector256.GreaterThan(current - space, printable) | (Vector256.Equals(current, space) & Vector256.Equals(next, space));
                if (i == last) break;
            }
            i = text.Length - 1; // the last character, which no block had as its own
            if (odd != Vector256<ushort>.Zero) return false;
        }
        for (; i < text.Length; i++)
        {
            var c = Unsafe.Add(ref chars, i);
            if ((uint)(c - ' ') > '~' - ' ' || c == ' ' && i + 1 < text.Length && Unsafe.Add(ref chars, i + 1) == ' ') return false;
        }
        return true;
    }

    /// <summary>
    /// The text with every run of white space as one space; <paramref name="origin"/> maps each of its characters back
    /// to the text (null when the text needed no change, which is the usual case and allocates nothing).
    /// </summary>
    /// <remarks>The text this thread normalised last is kept in its <paramref name="scan"/>: the tables of one source read the same message one after another.</remarks>
    internal static string Normalise(VocabularyScan scan, string text, out int[]? origin)
    {
        if (ReferenceEquals(text, scan.LastText))
        {
            origin = scan.LastOrigin;
            return scan.LastNormalised!;
        }
        var normalised = NormaliseAnew(text, out origin);
        (scan.LastText, scan.LastNormalised, scan.LastOrigin) = (text, normalised, origin);
        return normalised;
    }

    private static string NormaliseAnew(string text, out int[]? origin)
    {
        origin = null;
        // Printable ASCII (most texts) holds no odd white space: one cheap range search says so before the costlier one.
        if ((text.AsSpan().IndexOfAnyExceptInRange(' ', '~') < 0 || text.AsSpan().IndexOfAny(OddWhiteSpace) < 0)
            && !text.Contains("  ", StringComparison.Ordinal)) return text;
        var chars = new char[text.Length];
        origin = new int[text.Length];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var space = char.IsWhiteSpace(text[i]);
            if (space && i > 0 && char.IsWhiteSpace(text[i - 1])) continue; // the run is already one space
            chars[length] = space ? ' ' : text[i];
            origin[length++] = i;
        }
        return new string(chars, 0, length);
    }

    /// <summary>A regular expression's \w: letters, decimal digits, non-spacing marks and connector punctuation such as '_'.</summary>
    private static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.ConnectorPunctuation;
}
