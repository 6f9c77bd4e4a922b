using System.Collections.Frozen;
using System.Numerics;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Which rules of a kind's tiers a record can match at all, found without testing them one by one: one lookup per field
/// in the values the rules list exactly (source, entry, state, reason, errorCode…, and the exit and HTTP codes their
/// ranges hold), and whether the record has a message and an exit code, narrow the tier to its candidates, which are
/// then tested in rule order, so the first match is the one testing every rule would find. The tiers share one index,
/// so a record's values are looked up once for all of them (each tier is a mask of its rules). A rule with a prefix or
/// suffix value ("Failed*") stays a candidate as far as that field goes. (One search of the message for all rules'
/// prefilter literals at once was slower than each candidate's own: with that many literals
/// <see cref="System.Buffers.SearchValues"/> falls back from its vectorised search to a scalar Aho-Corasick. So was
/// a set of the message's three-character sequences tested against each candidate's literals: building the set
/// for every message cost about what it saved — unlike a fixed 512-bit set of character pairs, made only once a record
/// reaches a literal search, which each candidate then tests with a few AND operations: see <see cref="CharPairs"/>. And so was one vectorised search per set of candidates, small enough
/// to stay vectorised, made once per set and reporting where each candidate's first literal is: about 30% slower,
/// since it searches for the literals of every candidate of every tier while a rule's own search runs only when the
/// rule is reached and its cheaper conditions hold. And so was sharing the field lookups with the exact vocabulary
/// tables — per field one index of the rules' values and the tables' identifiers, looked up once per record for both:
/// 1.5-3.5% slower, since the tables' own lookups are about 2% of classifying and most of what a lookup here costs is
/// the first read of the record's strings, which the tables then find in the cache.)
/// </summary>
internal sealed class RuleIndex
{
    private readonly ClassificationRule[] _rules;

    /// <summary>
    /// Every rule's <see cref="ClassificationRule.MessagePairs"/> side by side, rule after rule (rule i's are
    /// <c>_pairs</c> from <c>_pairsOf[i].Start</c>; none: no pair test), tested here before the call into the rule: a record's
    /// candidates are read in order from one array instead of one array object per rule (a cache miss each).
    /// </summary>
    private readonly CharPairs[] _pairs;
    private readonly (int Start, int Length)[] _pairsOf;

    /// <summary>Rules that <see cref="ClassificationRule.AppliesToMarked"/>: the only candidates for a record marked as an error.</summary>
    private readonly ulong[] _appliesToMarked;

    /// <summary>Bit i of a mask stands for <c>_rules[i]</c>; 64 rules a word.</summary>
    private readonly int _words;
    private readonly ulong[] _all;
    private readonly FieldIndex[] _fields;

    /// <summary>Rules with no message pattern: the only candidates for a record without a message.</summary>
    private readonly ulong[] _withoutMessage;

    /// <summary>Rules that can take a record with an exit code, and those that can take one without.</summary>
    private readonly ulong[] _withExitCode;
    private readonly ulong[] _withoutExitCode;
    private readonly NumberIndex[] _numbers;

    /// <summary>
    /// The rules a number field narrows: those with no condition on it, plus, per value some rule's ranges hold, the
    /// rules holding it (<c>Accepting[value - Lowest]</c>, null where no rule's ranges hold the value). A rule's ranges
    /// never hold a missing value or one no rule names, so those get <c>Unconstrained</c>. An array rather than a
    /// dictionary: exit codes and HTTP statuses lie close together, and indexing one costs less than hashing it.
    /// </summary>
    private sealed record NumberIndex(RecordField Field, ulong[] Unconstrained, int Lowest, ulong[]?[] Accepting);

    // Beyond this span of values (a range such as 1-65535) a number field is left to the rules themselves.
    private const int MostIndexedNumbers = 4096;

    /// <summary>The rules one field narrows: those that name none of its values, plus those naming the record's value.</summary>
    private sealed record FieldIndex(RecordField Field, ulong[] Unconstrained, FrozenDictionary<string, ulong[]> Accepting, ValueSieve Sieve);

    /// <summary>Per tier, the rules it holds (a mask over <see cref="_rules"/>).</summary>
    private readonly ulong[][] _tiers;

    /// <param name="tiers">Each tier's rules in order; tiers are tried in the order the caller names them.</param>
    /// <param name="oneKind">
    /// Every record is of the one kind that each rule names or leaves open (an index per kind): the kind would let
    /// every rule through, so it is not looked up.
    /// </param>
    /// <param name="oneSource">The same for the source (an index per kind and source).</param>
    public RuleIndex(IReadOnlyList<IEnumerable<ClassificationRule>> tiers, bool oneKind = false, bool oneSource = false)
    {
        var tierOf = tiers.SelectMany((rules, tier) => rules.Select(rule => (rule, tier))).ToArray();
        _rules = [.. tierOf.Select(r => r.rule)];
        _pairs = [.. _rules.SelectMany(r => r.MessagePairs ?? [])];
        _pairsOf = new (int, int)[_rules.Length];
        for (int i = 0, at = 0; i < _rules.Length; at += _pairsOf[i].Length, i++)
            _pairsOf[i] = (at, _rules[i].MessagePairs?.Length ?? 0);
        _words = Math.Max(1, (_rules.Length + 63) / 64);
        _all = Mask(_ => true);
        _appliesToMarked = Mask(i => _rules[i].AppliesToMarked);
        _tiers = [.. tiers.Select((_, tier) => Mask(i => tierOf[i].tier == tier))];

        var fields = new List<FieldIndex>();
        foreach (var name in _rules.SelectMany(r => r.ExactConditions).Select(c => c.Field).Distinct(StringComparer.Ordinal))
        {
            if (oneKind && name == "kind" || oneSource && name == "source") continue;
            var values = _rules.Select(r => r.ExactConditions.Where(c => c.Field == name).Select(c => c.Values).FirstOrDefault()).ToArray();
            var unconstrained = Mask(i => values[i] is null);
            var accepting = values.OfType<IReadOnlyList<string>>().SelectMany(v => v).Distinct(StringComparer.OrdinalIgnoreCase)
                .ToFrozenDictionary(v => v, v => Or(unconstrained, Mask(i => values[i]?.Contains(v, StringComparer.OrdinalIgnoreCase) == true)), StringComparer.OrdinalIgnoreCase);
            fields.Add(new FieldIndex(RecordFields.Field(name), unconstrained, accepting, ValueSieve.Of(accepting.Keys)));
        }
        _fields = [.. fields];

        _withoutMessage = Mask(i => !_rules[i].HasMessage);
        _withExitCode = Mask(i => _rules[i].HasExitCode != false);
        _withoutExitCode = Mask(i => _rules[i].HasExitCode != true);

        var numbers = new List<NumberIndex>();
        foreach (var name in _rules.SelectMany(r => r.NumberConditions).Select(c => c.Name).Distinct(StringComparer.Ordinal))
        {
            var conditions = _rules.Select(r => r.NumberConditions.Where(c => c.Name == name).Select(c => ((int From, int To)[]?)[.. c.Ranges]).FirstOrDefault()).ToArray();
            var field = _rules.SelectMany(r => r.NumberConditions).First(c => c.Name == name).Field;
            var ranges = conditions.OfType<(int From, int To)[]>().SelectMany(r => r).ToList();
            var (lowest, highest) = (ranges.Min(r => (long)r.From), ranges.Max(r => (long)r.To));
            if (highest - lowest + 1 > MostIndexedNumbers) continue;
            var unconstrained = Mask(i => conditions[i] is null);
            var accepting = new ulong[]?[highest - lowest + 1];
            foreach (var v in ranges.SelectMany(r => Enumerable.Range(r.From, r.To - r.From + 1)).Distinct())
                accepting[v - lowest] = Or(unconstrained, Mask(i => conditions[i]?.Any(r => v >= r.From && v <= r.To) == true));
            numbers.Add(new NumberIndex(field, unconstrained, (int)lowest, accepting));
        }
        _numbers = [.. numbers];
    }

    /// <summary>How many 64-bit words a candidate mask takes.</summary>
    public int Words => _words;

    /// <summary>
    /// The first rule (in order) of <paramref name="tier"/> among <paramref name="candidates"/> (from
    /// <see cref="Candidates"/>) that matches; for a record <paramref name="marked"/> as an error upstream, only rules
    /// that <see cref="ClassificationRule.AppliesToMarked"/>.
    /// </summary>
    public bool TryMatch(EventRecord record, ReadOnlySpan<ulong> candidates, int tier, bool marked, ref RecordMessage message, out Classification result)
    {
        var inTier = _tiers[tier];
        var hasMessage = record.Message is not null;
        for (var w = 0; w < _words; w++)
        {
            var bits = candidates[w] & inTier[w];
            if (marked) bits &= _appliesToMarked[w];
            for (; bits != 0; bits &= bits - 1)
            {
                var i = w * 64 + BitOperations.TrailingZeroCount(bits);
                // Most candidates of a record with a message are message rules whose phrase it lacks: its character
                // pairs say so here, without a call into the rule and its pattern for each.
                var (start, length) = _pairsOf[i];
                if (hasMessage && length > 0 && !message.MayHoldAny(_pairs.AsSpan(start, length))) continue;
                if (_rules[i].TryMatch(record, indexed: true, ref message, out result)) return true;
            }
        }
        result = default;
        return false;
    }

    /// <summary>The rules of every tier that the record's values allow, as a mask of <see cref="Words"/> words.</summary>
    public void Candidates(EventRecord record, Span<ulong> candidates)
    {
        _all.CopyTo(candidates);
        foreach (var field in _fields)
            And(candidates, RecordFields.Read(record, field.Field) is { } value && field.Sieve.MayHold(value)
                && field.Accepting.TryGetValue(value, out var accepting) ? accepting : field.Unconstrained);

        foreach (var number in _numbers)
            And(candidates, RecordFields.Number(record, number.Field) is { } value && (uint)(value - number.Lowest) < (uint)number.Accepting.Length
                && number.Accepting[value - number.Lowest] is { } accepting ? accepting : number.Unconstrained);

        if (record.Message is null) And(candidates, _withoutMessage);
        And(candidates, record.ExitCode.HasValue ? _withExitCode : _withoutExitCode);
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
