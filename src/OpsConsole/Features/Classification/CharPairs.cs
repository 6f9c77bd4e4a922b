using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace OpsConsole.Features.Classification;

/// <summary>
/// The pairs of adjacent characters a text holds, ignoring ASCII case, as a 512-bit set (a pair's bit is a hash of it,
/// so two pairs may share one). A spelling with a pair the message's set lacks is not in the message, so a rule's
/// literal search — a record's candidates run a dozen or more — is ruled out by eight AND operations. For texts
/// <see cref="AsciiAlike"/> only: other case folding is the regex's.
/// </summary>
[InlineArray(Words)]
internal struct CharPairs
{
    private const int Words = 8;
    private ulong _word;

    public static CharPairs Of(ReadOnlySpan<char> text)
    {
        var pairs = default(CharPairs);
        if (text.Length < 2) return pairs;
        // Read once per record over the whole message: no bounds checks on the words (a bit's word is bit >> 6, below 8).
        ref var words = ref Unsafe.As<CharPairs, ulong>(ref pairs);
        var i = 1;
        if (Vector256.IsHardwareAccelerated)
        {
            // Sixteen pairs at a time: their bits are hashed in vectors (a third of the scalar loop's work), then set one by one.
            Span<uint> bits = stackalloc uint[16];
            ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
            var fold = Vector256.Create((ushort)0x20); // as Fold does
            for (; i + 16 <= text.Length; i += 16)
            {
                var (previousLower, previousUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref chars, (nuint)(i - 1)) | fold);
                var (currentLower, currentUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref chars, (nuint)i) | fold);
                Bits(previousLower, currentLower).StoreUnsafe(ref MemoryMarshal.GetReference(bits));
                Bits(previousUpper, currentUpper).StoreUnsafe(ref MemoryMarshal.GetReference(bits), 8);
                foreach (var bit in bits) Unsafe.Add(ref words, (int)(bit >> 6)) |= 1UL << (int)bit; // a ulong shift counts modulo 64
            }
        }
        var previous = Fold(text[i - 1]);
        for (; i < text.Length; i++)
        {
            var current = Fold(text[i]);
            var bit = Bit(previous, current);
            Unsafe.Add(ref words, (int)(bit >> 6)) |= 1UL << (int)bit;
            previous = current;
        }
        return pairs;
    }

    /// <summary>A pair's bit, 0-511: the top nine bits of a multiplicative hash of the two folded characters.</summary>
    private static uint Bit(uint previous, uint current) => (previous << 16 | current) * 0x9E3779B1u >> 23;

    /// <summary><see cref="Bit"/> of eight pairs at once.</summary>
    private static Vector256<uint> Bits(Vector256<uint> previous, Vector256<uint> current) => ((previous << 16) | current) * 0x9E3779B1u >> 23;

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
/// A record's message as its message rules read it: whether it is <see cref="AsciiAlike"/> (read once, not by every rule), and its
/// <see cref="CharPairs"/>, made when the first rule needs them (reading the message once costs about what two or
/// three literal searches of it do; a record decided by a structured field never pays it).
/// </summary>
internal struct RecordMessage(string? text)
{
    private byte _ascii; // 0: not read yet, 1: ASCII-alike, 2: not (or no message)

    /// <summary>Whether the message is ASCII-alike (<see cref="AsciiAlike.ForLiterals"/>), read at the first ask: a record a structured field decides never reads it.</summary>
    public bool Ascii
    {
        get
        {
            if (_ascii == 0) _ascii = text is not null && AsciiAlike.ForLiterals(text) ? (byte)1 : (byte)2;
            return _ascii == 1;
        }
    }
    private bool _paired;
    private CharPairs _pairs;

    /// <summary>False only when the message, ASCII-alike, holds none of the <paramref name="spellings"/> (their <see cref="CharPairs"/>).</summary>
    public bool MayHoldAny(ReadOnlySpan<CharPairs> spellings)
    {
        if (!Ascii) return true;
        if (!_paired)
        {
            _pairs = CharPairs.Of(text);
            _paired = true;
        }
        foreach (ref readonly var spelling in spellings)
            if (_pairs.MayHold(spelling)) return true;
        return false;
    }
}
