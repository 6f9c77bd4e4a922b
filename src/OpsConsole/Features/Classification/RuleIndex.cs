using System.Collections.Frozen;
using System.Numerics;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Which rules of one tier a record can match at all, found without testing them one by one: one lookup per field
/// in the values the rules list exactly (source, entry, state, reason, errorCode…) narrows the tier to its
/// candidates, which are then tested in rule order, so the first match is the one testing every rule would find.
/// A rule with a prefix or suffix value ("Failed*") stays a candidate as far as that field goes. (One search of the
/// message for all rules' prefilter literals at once was slower than each candidate's own: with that many literals
/// <see cref="System.Buffers.SearchValues"/> falls back from its vectorised search to a scalar Aho-Corasick.)
/// </summary>
internal sealed class RuleIndex
{
    private readonly ClassificationRule[] _rules;

    /// <summary>Bit i of a mask stands for <c>_rules[i]</c>; 64 rules a word.</summary>
    private readonly int _words;
    private readonly ulong[] _all;
    private readonly FieldIndex[] _fields;

    /// <summary>Rules with no message pattern: the only candidates for a record without a message.</summary>
    private readonly ulong[] _withoutMessage;

    /// <summary>The rules one field narrows: those that name none of its values, plus those naming the record's value.</summary>
    private sealed record FieldIndex(Func<EventRecord, string?> Read, ulong[] Unconstrained, FrozenDictionary<string, ulong[]> Accepting);

    public RuleIndex(IEnumerable<ClassificationRule> rules)
    {
        _rules = [.. rules];
        _words = Math.Max(1, (_rules.Length + 63) / 64);
        _all = Mask(_ => true);

        var fields = new List<FieldIndex>();
        foreach (var name in _rules.SelectMany(r => r.ExactConditions).Select(c => c.Field).Distinct(StringComparer.Ordinal))
        {
            var values = _rules.Select(r => r.ExactConditions.Where(c => c.Field == name).Select(c => c.Values).FirstOrDefault()).ToArray();
            var unconstrained = Mask(i => values[i] is null);
            var accepting = values.OfType<IReadOnlyList<string>>().SelectMany(v => v).Distinct(StringComparer.OrdinalIgnoreCase)
                .ToFrozenDictionary(v => v, v => Or(unconstrained, Mask(i => values[i]?.Contains(v, StringComparer.OrdinalIgnoreCase) == true)), StringComparer.OrdinalIgnoreCase);
            fields.Add(new FieldIndex(RecordFields.Get(name), unconstrained, accepting));
        }
        _fields = [.. fields];

        _withoutMessage = Mask(i => !_rules[i].HasMessage);
    }

    /// <summary>
    /// The first rule (in order) that matches; for a record <paramref name="marked"/> as an error upstream, only rules
    /// that <see cref="ClassificationRule.AppliesToMarked"/>.
    /// </summary>
    public bool TryMatch(EventRecord record, bool marked, out Classification result)
    {
        Span<ulong> candidates = stackalloc ulong[_words];
        Candidates(record, candidates);
        for (var w = 0; w < _words; w++)
        {
            for (var bits = candidates[w]; bits != 0; bits &= bits - 1)
            {
                var rule = _rules[w * 64 + BitOperations.TrailingZeroCount(bits)];
                if ((!marked || rule.AppliesToMarked) && rule.TryMatch(record, indexed: true, out result)) return true;
            }
        }
        result = default;
        return false;
    }

    private void Candidates(EventRecord record, Span<ulong> candidates)
    {
        _all.CopyTo(candidates);
        foreach (var field in _fields)
            And(candidates, field.Read(record) is { } value && field.Accepting.TryGetValue(value, out var accepting) ? accepting : field.Unconstrained);

        if (record.Message is null) And(candidates, _withoutMessage);
    }

    private ulong[] Mask(Func<int, bool> includes)
    {
        var mask = new ulong[_words];
        for (var i = 0; i < _rules.Length; i++)
            if (includes(i)) mask[i / 64] |= 1UL << (i % 64);
        return mask;
    }

    private static ulong[] Or(ulong[] a, ulong[] b) => [.. a.Zip(b, (x, y) => x | y)];

    private static void And(Span<ulong> into, ReadOnlySpan<ulong> mask)
    {
        for (var i = 0; i < into.Length; i++) into[i] &= mask[i];
    }
}
