using System.Runtime.CompilerServices;

namespace OpsConsole.Features.Classification;

/// <summary>
/// The pairs of adjacent characters a text holds, ignoring ASCII case, as a 512-bit set (a pair's bit is a hash of it,
/// so two pairs may share one). A spelling with a pair the message's set lacks is not in the message, so a rule's
/// literal search — a record's candidates run a dozen or more — is ruled out by eight AND operations. For ASCII texts
/// only: outside ASCII, case folding is the regex's.
/// </summary>
[InlineArray(Words)]
internal struct CharPairs
{
    private const int Words = 8;
    private ulong _word;

    public static CharPairs Of(ReadOnlySpan<char> text)
    {
        var pairs = default(CharPairs);
        for (var i = 1; i < text.Length; i++)
        {
            var bit = Bit(text[i - 1], text[i]);
            pairs[bit >> 6] |= 1UL << bit; // a ulong shift counts modulo 64
        }
        return pairs;
    }

    /// <summary>
    /// A pair's bit: 'A' and 'a' fold alike (as an ordinal comparison ignoring case folds ASCII); a few other characters
    /// fold together too ('@' and '`'), which only lets a set hold more than it has.
    /// </summary>
    private static int Bit(char a, char b) => (int)(((uint)(a | 0x20) << 16 | (uint)(b | 0x20)) * 0x9E3779B1u >> 23);

    /// <summary>Whether every pair of <paramref name="spelling"/> may be in this set.</summary>
    public readonly bool MayHold(in CharPairs spelling)
    {
        for (var i = 0; i < Words; i++)
            if ((spelling[i] & ~this[i]) != 0) return false;
        return true;
    }
}

/// <summary>
/// A record's message as its message rules read it: whether it is ASCII (read once, not by every rule), and its
/// <see cref="CharPairs"/>, made when the first rule needs them (reading the message once costs about what two or
/// three literal searches of it do; a record decided by a structured field never pays it).
/// </summary>
internal struct RecordMessage(string? text)
{
    public bool Ascii { get; } = text is not null && System.Text.Ascii.IsValid(text);
    private bool _paired;
    private CharPairs _pairs;

    /// <summary>False only when the message, ASCII, holds none of the <paramref name="spellings"/> (their <see cref="CharPairs"/>).</summary>
    public bool MayHoldAny(CharPairs[] spellings)
    {
        if (!Ascii) return true;
        if (!_paired)
        {
            _pairs = CharPairs.Of(text);
            _paired = true;
        }
        foreach (ref readonly var spelling in spellings.AsSpan())
            if (_pairs.MayHold(spelling)) return true;
        return false;
    }
}
