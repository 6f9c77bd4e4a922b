using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

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
        if (text.IsEmpty) return pairs;
        // Read once per record over the whole message: no bounds checks on the words (a bit's word is bit >> 6, below 8).
        ref var words = ref Unsafe.As<CharPairs, ulong>(ref pairs);
        var previous = Fold(text[0]);
        for (var i = 1; i < text.Length; i++)
        {
            var current = Fold(text[i]);
            var bit = (int)((previous << 16 | current) * 0x9E3779B1u >> 23);
            Unsafe.Add(ref words, bit >> 6) |= 1UL << bit; // a ulong shift counts modulo 64
            previous = current;
        }
        return pairs;
    }

    /// <summary>
    /// 'A' and 'a' fold alike (as an ordinal comparison ignoring case folds ASCII); a few other characters fold together
    /// too ('@' and '`'), which only lets a set hold more than it has.
    /// </summary>
    private static uint Fold(char c) => (uint)(c | 0x20);

    /// <summary>Whether every pair of <paramref name="spelling"/> may be in this set.</summary>
    public readonly bool MayHold(in CharPairs spelling)
    {
        ref readonly var mine = ref Unsafe.As<CharPairs, Vector256<ulong>>(ref Unsafe.AsRef(in this));
        ref readonly var its = ref Unsafe.As<CharPairs, Vector256<ulong>>(ref Unsafe.AsRef(in spelling));
        return Vector256.AndNot(its, mine) == Vector256<ulong>.Zero
               && Vector256.AndNot(Unsafe.Add(ref Unsafe.AsRef(in its), 1), Unsafe.Add(ref Unsafe.AsRef(in mine), 1)) == Vector256<ulong>.Zero;
    }
}

/// <summary>
/// A record's message as its message rules read it: whether it is ASCII (read once, not by every rule), and its
/// <see cref="CharPairs"/>, made when the first rule needs them (reading the message once costs about what two or
/// three literal searches of it do; a record decided by a structured field never pays it).
/// </summary>
internal struct RecordMessage(string? text)
{
    private byte _ascii; // 0: not read yet, 1: ASCII, 2: not (or no message)

    /// <summary>Whether the message is ASCII, read at the first ask: a record a structured field decides never reads it.</summary>
    public bool Ascii
    {
        get
        {
            if (_ascii == 0) _ascii = text is not null && System.Text.Ascii.IsValid(text) ? (byte)1 : (byte)2;
            return _ascii == 1;
        }
    }
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
