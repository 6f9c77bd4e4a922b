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

    public static CharPairs Of(ReadOnlySpan<char> text) => Of(text, out _);

    /// <summary>As above; <paramref name="ascii"/>: whether every character is ASCII, read in the same pass (a record's message rules need both).</summary>
    public static CharPairs Of(ReadOnlySpan<char> text, out bool ascii)
    {
        var pairs = default(CharPairs);
        ascii = true;
        if (text.Length == 0) return pairs;
        ref var chars = ref Unsafe.As<char, ushort>(ref MemoryMarshal.GetReference(text));
        if (text.Length < 2)
        {
            ascii = chars < 0x80;
            return pairs;
        }
        // A byte per bit, set by a plain store, then packed into the words. Setting bits in the words themselves is a
        // read, an OR and a write to one of eight words, each read waiting on the last write to its word: 20% slower
        // on a message of 32-64 characters, 80% on one beyond 128.
        Span<byte> flags = stackalloc byte[Words * 64]; // zeroed
        ref var flag = ref MemoryMarshal.GetReference(flags);
        var i = 1;
        var seen = 0u; // every character OR-ed together: ASCII when no bit above 0x7F is set
        if (Vector256.IsHardwareAccelerated)
        {
            // Sixteen pairs at a time: their bits are hashed in vectors (a third of the scalar loop's work), then set one by one.
            Span<uint> bits = stackalloc uint[16];
            ref var bit = ref MemoryMarshal.GetReference(bits);
            var fold = Vector256.Create((ushort)0x20); // as Fold does
            var all = Vector256<ushort>.Zero;
            for (; i + 16 <= text.Length; i += 16)
            {
                var current = Vector256.LoadUnsafe(ref chars, (nuint)i);
                all |= current;
                var (previousLower, previousUpper) = Vector256.Widen(Vector256.LoadUnsafe(ref chars, (nuint)(i - 1)) | fold);
                var (currentLower, currentUpper) = Vector256.Widen(current | fold);
                Bits(previousLower, currentLower).StoreUnsafe(ref bit);
                Bits(previousUpper, currentUpper).StoreUnsafe(ref bit, 8);
                for (var k = 0; k < 16; k++) Unsafe.Add(ref flag, Unsafe.Add(ref bit, k)) = 0x80; // a bit is below 512
            }
            seen = Vector256.GreaterThan(all, Vector256.Create((ushort)0x7F)) != Vector256<ushort>.Zero ? 0x80u : 0u;
        }
        var previous = Fold((char)Unsafe.Add(ref chars, i - 1));
        seen |= chars; // the first character, which the loops read only as the one before another
        for (; i < text.Length; i++)
        {
            var c = Unsafe.Add(ref chars, i);
            seen |= c;
            var current = Fold((char)c);
            Unsafe.Add(ref flag, Bit(previous, current)) = 0x80;
            previous = current;
        }
        ascii = seen < 0x80;
        ref var halves = ref Unsafe.As<CharPairs, uint>(ref pairs);
        for (var k = 0; k < Words * 2; k++)
            Unsafe.Add(ref halves, k) = Vector256.LoadUnsafe(ref flag, (nuint)(k * 32)).ExtractMostSignificantBits();
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
/// three literal searches of it do; a record decided by a structured field never pays it). When the pairs come first,
/// the pass that makes them also says whether the message is ASCII, so it is not read again for that.
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
        if (!_paired)
        {
            if (_ascii == 2 || text is null) return true;
            _pairs = CharPairs.Of(text, out var ascii);
            _paired = true;
            // Beyond ASCII, the rarer and slower question whether it is ASCII-alike.
            if (_ascii == 0) _ascii = ascii || AsciiAlike.ForLiterals(text) ? (byte)1 : (byte)2;
        }
        if (_ascii != 1) return true;
        foreach (ref readonly var spelling in spellings)
            if (_pairs.MayHold(spelling)) return true;
        return false;
    }
}
