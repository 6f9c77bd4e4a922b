namespace OpsConsole.Features.Classification;

/// <summary>
/// The (length, first character, last character) of a set of values ignoring ASCII case, as a 256-bit set: most
/// values a record holds are none of the set's (a reason no rule names, an identifier not in a table), and one bit
/// says so without hashing the whole value and comparing it with keys that sit elsewhere in memory. A bit set only
/// lets a value through to the lookup; values beginning or ending outside ASCII, and every value when the set has
/// such a one, skip the sieve (another script's case folding is the lookup's business).
/// </summary>
internal readonly struct ValueSieve
{
    private readonly ulong[]? _bits;

    private ValueSieve(ulong[]? bits) => _bits = bits;

    public static ValueSieve Of(IEnumerable<string> values)
    {
        var bits = new ulong[4];
        foreach (var value in values)
        {
            if (value.Length == 0 || !char.IsAscii(value[0]) || !char.IsAscii(value[^1])) return new ValueSieve(null);
            var bit = Bit(value);
            bits[bit >> 6] |= 1UL << bit;
        }
        return new ValueSieve(bits);
    }

    /// <summary>False only when no value of the set equals <paramref name="value"/> ignoring case.</summary>
    public bool MayHold(ReadOnlySpan<char> value)
    {
        if (_bits is null || value.Length == 0 || !char.IsAscii(value[0]) || !char.IsAscii(value[^1])) return true;
        var bit = Bit(value);
        return (_bits[bit >> 6] & (1UL << bit)) != 0;
    }

    // 'A' and 'a' fold alike (so do a few punctuation pairs, which only lets more through); the top 8 bits of a
    // multiplicative hash. A ulong shift counts modulo 64, so the word's bit is the low six of the index.
    private static int Bit(ReadOnlySpan<char> value) =>
        (int)(((uint)value.Length << 16 ^ (uint)(value[0] | 0x20) << 8 ^ (uint)(value[^1] | 0x20)) * 0x9E3779B1u >> 24);
}
