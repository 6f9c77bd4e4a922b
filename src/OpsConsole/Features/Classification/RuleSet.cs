using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Records;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsConsole.Features.Classification;

/// <summary>
/// The effective, validated rules and vocabularies, consulted in tiers so a generic rule cannot mask a specific
/// identifier (Features/Classification/rules.md): operator rules; shipped failure rules on structured fields;
/// vocabulary exact tables; shipped failure rules on message phrasing; vocabulary phrase tables; fallback files;
/// then healthy and in-progress rules and entries, which never see a record an upstream field marks as an error.
/// <see cref="Version"/> hashes every file's text, so a record knows which rules classified it.
/// </summary>
public sealed class RuleSet
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    /// <summary>The tiers of a kind's <see cref="RuleIndex"/>: operator rules, shipped rules, fallback files, healthy states.</summary>
    private static class Tiers
    {
        public const int Operator = 0, Source = 1, Fallback = 2, Healthy = 3;
    }

    /// <summary>
    /// What a record of one kind consults: per source some rule or table names, that source's plan; for any other
    /// source (<c>Other</c>), the kind's rules and its shared tables.
    /// </summary>
    private sealed record KindPlan(FrozenDictionary<string, SourcePlan> BySource, SourcePlan Other);

    /// <summary>
    /// What a record of one kind and source consults: only the rules that can take that source (its index need not
    /// look the source up, and looks up only the fields those rules name), and the vocabulary tables its records ask —
    /// the source's own, then the kind's shared ones, as one plan, so one pass over a field serves both (see
    /// <see cref="PhraseGroup"/>).
    /// </summary>
    /// <remarks>
    /// <paramref name="Profile"/>: the source's profile, found once here rather than per record to ask whether the
    /// record is marked as an error (null for a source the console does not know, or for the plan of other sources).
    /// </remarks>
    private sealed record SourcePlan(RuleIndex Rules, VocabularyPlan? Vocabulary, Sources.ISourceProfile? Profile = null);

    // Frozen: looked up for every record classified. Records spell their kind as the rules do, so an ordinal lookup
    // (cheaper than one ignoring case) finds most; another spelling gets the same plan from the second.
    private readonly FrozenDictionary<string, KindPlan> _byKind;
    private readonly FrozenDictionary<string, KindPlan> _byKindAsSpelled;
    private readonly KindPlan _anyKind;
    private readonly int _tableCount;

    /// <summary>Every category some rule or vocabulary entry assigns.</summary>
    public IReadOnlySet<string> Categories { get; }
    public string Version { get; }

    /// <summary>The loaded vocabularies, in the order they are consulted.</summary>
    public IReadOnlyList<SourceVocabulary> Vocabularies { get; }

    /// <summary>Per category, the upstream identifiers (by source and table) that lead there: why a record got it.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<UpstreamIdentifiers>> Upstream { get; }

    /// <summary>Loadable but suspicious: an operator file with no rules (everything falls to the shipped rules).</summary>
    public IReadOnlyList<string> Warnings { get; }

    private RuleSet(IReadOnlyList<ClassificationRule> rules, IReadOnlyList<SourceVocabulary> vocabularies, string version, IReadOnlyList<string> warnings)
    {
        Categories = rules.Select(r => r.Category)
            .Concat(vocabularies.SelectMany(v => v.Tables).SelectMany(t => t.Entries).Select(e => e.Category))
            .ToHashSet(StringComparer.Ordinal);
        Version = version;
        Warnings = warnings;
        Vocabularies = vocabularies;
        Upstream = UpstreamIdentifiers.ByCategory(vocabularies);
        // Every table gets one place in the per-record scan; a source's and a kind's tables keep file order.
        var slots = vocabularies.ToDictionary(v => v, v => new List<VocabularySlot>());
        foreach (var vocabulary in vocabularies)
            foreach (var table in vocabulary.Tables)
                slots[vocabulary].Add(new VocabularySlot(vocabulary.Source, table, _tableCount++));
        var own = vocabularies.Where(v => v.Kinds is null).GroupBy(v => v.Source, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(v => slots[v]).ToList(), StringComparer.Ordinal);
        List<VocabularySlot> SharedBy(string? kind) => [.. vocabularies
            .Where(v => kind is not null && v.Kinds is not null && v.Kinds.Contains(kind, StringComparer.OrdinalIgnoreCase)).SelectMany(v => slots[v])];
        KindPlan Plan(string? kind, IEnumerable<ClassificationRule> forKind)
        {
            var shared = SharedBy(kind);
            var sharedPlan = shared.Count > 0 ? new VocabularyPlan(shared) : null;
            var kindRules = forKind.ToList();
            // Keyed as records spell their source (an ordinal lookup); another spelling gets the kind's plan, whose
            // index compares the source as rules do, ignoring case.
            var sources = own.Keys.Concat(kindRules.SelectMany(r => r.ExactConditions).Where(c => c.Field == "source").SelectMany(c => c.Values))
                .Distinct(StringComparer.Ordinal);
            var bySource = sources.ToFrozenDictionary(source => source, source => new SourcePlan(
                Split(kindRules.Where(r => r.MayTakeSource(source)), oneKind: kind is not null, oneSource: true),
                // A table already among the source's own is not asked again (its first answer stands).
                own.TryGetValue(source, out var tables) ? new VocabularyPlan([.. tables, .. shared.Except(tables)]) : sharedPlan,
                Sources.SourceProfiles.IsKnownSource(source) ? Sources.SourceProfiles.For(source, kind ?? "") : null),
                StringComparer.Ordinal);
            return new KindPlan(bySource, new SourcePlan(Split(kindRules, oneKind: kind is not null, oneSource: false), sharedPlan));
        }

        // Most rules name a kind; indexing by kind keeps a record from testing rules that cannot apply to it.
        var kinds = rules.Where(r => r.Kinds is not null).SelectMany(r => r.Kinds!)
            .Concat(vocabularies.Where(v => v.Kinds is not null).SelectMany(v => v.Kinds!))
            .Distinct(StringComparer.OrdinalIgnoreCase);
        _byKind = kinds.ToFrozenDictionary(k => k,
            k => Plan(k, rules.Where(r => r.Kinds is null || r.Kinds.Contains(k, StringComparer.OrdinalIgnoreCase))),
            StringComparer.OrdinalIgnoreCase);
        _byKindAsSpelled = _byKind.ToFrozenDictionary(StringComparer.Ordinal);
        _anyKind = Plan(null, rules.Where(r => r.Kinds is null));
    }

    private static RuleIndex Split(IEnumerable<ClassificationRule> rules, bool oneKind, bool oneSource)
    {
        var list = rules.ToList();
        static bool Operator(ClassificationRule r) => !IncidentClassifier.IsShipped(r.Origin);
        static bool Fallback(ClassificationRule r) => r.Origin.EndsWith("fallback.rules.yaml", StringComparison.Ordinal);
        static bool Healthy(ClassificationRule r) => r.Origin == HealthyRulesFile;
        // In the order of Tiers' numbers.
        return new RuleIndex([
            list.Where(Operator),
            list.Where(r => !Operator(r) && !Fallback(r) && !Healthy(r)),
            list.Where(r => !Operator(r) && Fallback(r)),
            list.Where(r => !Operator(r) && Healthy(r))], oneKind, oneSource);
    }

    /// <summary>The healthy states of any source: tried last of all rules.</summary>
    public const string HealthyRulesFile = "Sources/healthy.rules.yaml";

    public Classification Classify(EventRecord record)
    {
        var plan = _byKindAsSpelled.TryGetValue(record.Kind, out var forKind) || _byKind.TryGetValue(record.Kind, out forKind) ? forKind : _anyKind;
        var ownPlan = plan.BySource.TryGetValue(record.Source, out var forSource);
        var (rules, vocabulary, profile) = ownPlan ? forSource! : plan.Other;
        Span<ulong> candidates = stackalloc ulong[rules.Words];
        rules.Candidates(record, candidates);
        VocabularyScan? scan = null; // taken (and emptied) when a vocabulary pass is first reached: most records never get there
        // A record its own source calls an error is never "healthy" or "in progress": none rules on states and healthy
        // states pass it by; only a specific "this is fine" may say otherwise (a none rule on a message phrase such
        // as "no zTOC for layer", or an identifier such as the ProbeWarning reason).
        var marked = ownPlan ? profile?.MarkedAsError(record) == true : Sources.SourceProfiles.MarkedAsError(record);
        // What the message rules read of the message, once for all of them (Ascii, and its pairs if a rule needs them).
        var message = new RecordMessage(record.Message);
        if (rules.TryMatch(record, candidates, Tiers.Operator, marked: false, ref message, out var result)
            || rules.TryMatch(record, candidates, Tiers.Source, marked, ref message, out result)
            || First(vocabulary, record, ref scan, exact: true, VocabularyPass.Specific, out result)
            || First(vocabulary, record, ref scan, exact: false, VocabularyPass.Specific, out result)
            || rules.TryMatch(record, candidates, Tiers.Fallback, marked, ref message, out result)
            || First(vocabulary, record, ref scan, exact: true, VocabularyPass.Generic, out result)
            || First(vocabulary, record, ref scan, exact: false, VocabularyPass.Generic, out result))
            return result;
        if (marked)
            return First(vocabulary, record, ref scan, exact: true, VocabularyPass.Healthy, out result) ? result : Classification.UnmatchedError(record);
        if (rules.TryMatch(record, candidates, Tiers.Healthy, marked, ref message, out result)
            || First(vocabulary, record, ref scan, exact: true, VocabularyPass.Healthy, out result)
            || First(vocabulary, record, ref scan, exact: false, VocabularyPass.Healthy, out result)
            || First(vocabulary, record, ref scan, exact: true, VocabularyPass.HealthyState, out result)
            || First(vocabulary, record, ref scan, exact: false, VocabularyPass.HealthyState, out result))
            return result;
        return Classification.Unmatched(record);
    }

    /// <summary>The first table (the source's own, then the kind's shared ones, in file order) whose match in the record belongs to <paramref name="pass"/>.</summary>
    private bool First(VocabularyPlan? plan, EventRecord record, ref VocabularyScan? scan, bool exact, VocabularyPass pass, out Classification result)
    {
        foreach (var slot in plan?.Slots(exact, pass) ?? [])
            if ((scan ??= VocabularyScan.Start(_tableCount)).Entry(slot, record, plan!.Phrases) is { } entry && slot.PassOf(entry) == pass)
            {
                result = scan.Match(slot).ToClassification();
                return true;
            }
        result = default!;
        return false;
    }

    /// <summary>
    /// Loads and validates rule files given as (origin, YAML text), highest precedence first; files whose name ends
    /// in <c>vocabulary.yaml</c> are vocabularies (loaded with <see cref="SourceVocabulary.Load"/>).
    /// </summary>
    public static RuleSet Load(IEnumerable<(string Origin, string Yaml)> files, TimeSpan? regexTimeout = null)
    {
        // Generous enough for a loaded 2-core machine (the first match also pays for compiling the pattern).
        var timeout = regexTimeout ?? TimeSpan.FromMilliseconds(500);
        var rules = new List<ClassificationRule>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var list = files.ToList();

        var vocabularies = new List<SourceVocabulary>();
        foreach (var (origin, yaml) in list)
        {
            if (IsVocabulary(origin))
            {
                vocabularies.Add(SourceVocabulary.Load(origin, yaml));
                continue;
            }
            RuleFile file;
            try
            {
                file = Yaml.Deserialize<RuleFile>(yaml) ?? new RuleFile();
            }
            catch (YamlException ex)
            {
                var inner = ex.InnerException?.Message ?? ex.Message;
                throw new RuleValidationException($"{origin}: line {ex.Start.Line}, column {ex.Start.Column}: {inner}");
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or OverflowException)
            {
                throw new RuleValidationException($"{origin}: cannot be read: {ex.Message}");
            }

            // `rules:` with nothing after it deserializes to null: as empty as `rules: []`, and just as worth a warning.
            var definitions = file.Rules ?? [];
            if (definitions.Count == 0)
                warnings.Add($"{origin}: has no rules; only the rules of the other files apply");

            for (var i = 0; i < definitions.Count; i++)
            {
                var definition = definitions[i];
                var name = definition?.Id is { Length: > 0 } id ? $"rule '{id}'" : $"rule #{i + 1}";
                try
                {
                    if (definition is null) throw new RuleValidationException("is empty");
                    Validate(definition);
                    if (ids.TryGetValue(definition.Id!, out var first))
                        throw new RuleValidationException($"id is already used in {first}");
                    ids[definition.Id!] = origin;
                    rules.Add(new ClassificationRule(definition, origin, timeout));
                }
                catch (RuleValidationException ex)
                {
                    throw new RuleValidationException($"{origin}: {name} {ex.Message}");
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException)
                {
                    // Validation should have caught it; whatever slipped through still names the file and rule.
                    throw new RuleValidationException($"{origin}: {name} cannot be used: {ex.Message}");
                }
            }
        }

        return new RuleSet(rules, vocabularies, VersionOf(list), warnings);
    }

    public static bool IsVocabulary(string origin) => origin.EndsWith("vocabulary.yaml", StringComparison.Ordinal);

    /// <summary>The version a set of rule files would have: a hash of their names and text (cheap; no rule is compiled).</summary>
    public static string VersionOf(IEnumerable<(string Origin, string Yaml)> files)
    {
        var text = new StringBuilder();
        foreach (var (origin, yaml) in files) text.Append(origin).Append('\n').Append(yaml).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..16];
    }

    private static void Validate(RuleDefinition rule)
    {
        if (string.IsNullOrWhiteSpace(rule.Id)) throw new RuleValidationException("has no id");
        if (string.IsNullOrWhiteSpace(rule.Category)) throw new RuleValidationException("has no category");
        if (!Taxonomy.IsKnown(rule.Category))
            throw new RuleValidationException($"names category '{rule.Category}', which is not in the taxonomy");
        if (rule.Severity is null || !Taxonomy.Severities.Contains(rule.Severity))
            throw new RuleValidationException($"has severity '{rule.Severity}'; use one of {string.Join(", ", Taxonomy.Severities)}");
        if (rule.When is null) throw new RuleValidationException("has no 'when' conditions");
        foreach (var (field, values) in rule.When.Lists())
            if (values is not null && values.Any(string.IsNullOrEmpty))
                throw new RuleValidationException($"has an empty value in '{field}' (a null or '' matches nothing)");
    }
}
