using System.Text;
using OpsConsole.Features.Records;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// When an entry may decide: a specific cause before the fallback rules; a generic failure (a state that says only
/// "failed", or a category of <c>unknown</c>) after them; a healthy identifier (a reason that says "fine") after
/// every failure, even on a record marked as an error; a healthy generic state ("ACTIVE") only on unmarked records.
/// </summary>
public enum VocabularyPass { Specific, Generic, Healthy, HealthyState }

/// <summary>One upstream identifier and what it means in the taxonomy.</summary>
public sealed record VocabularyEntry(string Identifier, string Category, string Severity, IReadOnlyDictionary<string, string> Facts)
{
    /// <summary>The pass it decides in (<see cref="SourceVocabulary.PassOf"/>), set by its table: asked for every table a record reaches.</summary>
    internal VocabularyPass Pass { get; init; }
}

/// <summary>Which entry of which table matched, and the record field and value it was found in.</summary>
public readonly record struct VocabularyMatch(string Source, VocabularyTable Table, VocabularyEntry Entry, string Field, string Value)
{
    public string RuleId => Table.RuleId;

    /// <summary>"errorCode=NoValidHost (nova exception NoValidHost)": the field, its value and the identifier it matched.</summary>
    public string Evidence => Table.IsExact
        ? string.Concat(Field, "=", Value, " (", Source, " ", Table.Name, ")")
        : string.Concat(Field, "~\"", Value, "\" (", Source, " ", Table.Name, ")");

    public Classification ToClassification() => new(Entry.Category, Entry.Severity, RuleId, Evidence);
}

/// <summary>One table of a vocabulary, compiled: a case-insensitive dictionary (exact) or one phrase search (word).</summary>
public sealed class VocabularyTable
{
    private readonly (string Name, RecordField Field)[] _fields;
    private readonly Dictionary<string, VocabularyEntry> _entries;
    private readonly Dictionary<string, VocabularyEntry>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private readonly PhraseSearch? _phrases;

    // An exact value longer than every identifier cannot be one (a long message is not hashed for nothing).
    private readonly int _longestIdentifier;

    // Most values an exact table is asked about are none of its identifiers: the sieve says so before a lookup.
    private readonly ValueSieve _sieve;

    public string Name { get; }
    public bool IsExact { get; }

    /// <summary>Its identifiers are generic states ("ERROR", "failed"): they decide only when nothing specific does.</summary>
    public bool IsGeneric { get; }
    public IReadOnlyList<string> LookIn { get; }
    public IReadOnlyCollection<VocabularyEntry> Entries => _entries.Values;

    /// <summary>What a record this table classified names as its rule: "vocabulary:nova/exception" (built once, not per record).</summary>
    public string RuleId { get; }

    internal VocabularyTable(string source, string name, bool exact, bool generic, IReadOnlyList<string> lookIn, IEnumerable<VocabularyEntry> entries)
    {
        Name = name;
        RuleId = $"vocabulary:{source}/{name}";
        IsExact = exact;
        IsGeneric = generic;
        LookIn = lookIn;
        _fields = [.. lookIn.Select(f => RecordFields.TryGet(f, out var field) ? (f, field) : throw new InvalidOperationException(f))];
        _entries = new Dictionary<string, VocabularyEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries) _entries[exact ? entry.Identifier : NormalisePhrase(entry.Identifier)] = entry with { Pass = SourceVocabulary.PassOf(this, entry) };
        _lookup = _entries.GetAlternateLookup<ReadOnlySpan<char>>();
        if (!exact) _phrases = new PhraseSearch(_entries.Keys);
        _longestIdentifier = _entries.Keys.Max(k => k.Length);
        _sieve = ValueSieve.Of(_entries.Keys);
        _passes = [.. _entries.Values.Select(e => e.Pass).Distinct()];
    }

    // A table with no entry of a pass is not scanned in that pass (a phrase scan is the costly part of classifying).
    private readonly VocabularyPass[] _passes;

    public bool Has(VocabularyPass pass) => Array.IndexOf(_passes, pass) >= 0;

    /// <summary>The fields it looks in, in order.</summary>
    internal IReadOnlyList<(string Name, RecordField Field)> Fields => _fields;

    /// <summary>A phrase table's phrases (normalised: trimmed, single-spaced, lower case) with their entries.</summary>
    internal IEnumerable<(string Phrase, VocabularyEntry Entry)> Phrases => _entries.Select(e => (e.Key, e.Value));

    public bool TryMatch(EventRecord record, string source, out VocabularyMatch match)
    {
        foreach (var (field, read) in _fields)
        {
            if (RecordFields.Read(record, read) is not { Length: > 0 } value) continue;
            if (IsExact ? TryExact(value, out var entry) : TryPhrase(value, out entry, out value))
            {
                match = new VocabularyMatch(source, this, entry, field, value);
                return true;
            }
        }
        match = default;
        return false;
    }

    private bool TryExact(string value, out VocabularyEntry entry)
    {
        entry = null!;
        var trimmed = value.AsSpan().Trim();
        if (trimmed.Length <= _longestIdentifier && _sieve.MayHold(trimmed) && _lookup.TryGetValue(trimmed, out entry!)) return true;
        // Exception classes often arrive qualified ("nova.exception.NoValidHost"); the class name is what the table keys.
        var dot = trimmed.LastIndexOf('.');
        return dot > 0 && dot < trimmed.Length - 1 && trimmed.Length - dot - 1 <= _longestIdentifier && !trimmed.Contains(' ')
               && _sieve.MayHold(trimmed[(dot + 1)..]) && _lookup.TryGetValue(trimmed[(dot + 1)..], out entry!);
    }

    /// <summary>A phrase table's leftmost (then longest) phrase in <paramref name="text"/>, and the text it matched there.</summary>
    internal bool TryPhrase(string text, out VocabularyEntry entry, out string found)
    {
        var matched = TryPhraseAt(text, out entry, out var start, out var end);
        found = matched ? text[start..end] : "";
        return matched;
    }

    /// <summary>As <see cref="TryPhrase"/>, with the text it matched as its place in <paramref name="text"/>.</summary>
    internal bool TryPhraseAt(string text, out VocabularyEntry entry, out int start, out int end)
    {
        entry = null!;
        return _phrases!.TryFind(text, out var phrase, out start, out end) && _entries.TryGetValue(phrase, out entry!);
    }

    /// <summary>Phrases compare ignoring case and with any run of white space as one space.</summary>
    internal static string NormalisePhrase(string phrase)
    {
        var text = new StringBuilder(phrase.Length);
        var space = false;
        foreach (var c in phrase.Trim())
        {
            if (char.IsWhiteSpace(c)) { space = true; continue; }
            if (space) text.Append(' ');
            space = false;
            text.Append(char.ToLowerInvariant(c));
        }
        return text.ToString();
    }
}

/// <summary>
/// A source system's vocabulary: its own identifiers (exception classes, event reasons, error codes, fixed
/// phrases) in tables tried in file order. Loading validates every table and entry and names the file, the
/// table and the entry of any problem.
/// </summary>
public sealed class SourceVocabulary
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    public string Source { get; }
    public string Origin { get; }
    public IReadOnlyList<VocabularyTable> Tables { get; }

    /// <summary>The record kinds of any source it applies to, or null: records of <see cref="Source"/> only.</summary>
    public IReadOnlyList<string>? Kinds { get; }

    private SourceVocabulary(string source, string origin, IReadOnlyList<VocabularyTable> tables, IReadOnlyList<string>? kinds)
    {
        Source = source;
        Origin = origin;
        Tables = tables;
        Kinds = kinds;
    }

    /// <summary>
    /// Which pass an entry decides in: classification asks every table for specific causes, then generic failures,
    /// then healthy states (see <see cref="VocabularyPass"/>).
    /// </summary>
    internal static VocabularyPass PassOf(VocabularyTable table, VocabularyEntry entry) =>
        entry.Category == Taxonomy.None ? (table.IsGeneric ? VocabularyPass.HealthyState : VocabularyPass.Healthy)
        : table.IsGeneric || entry.Category == Taxonomy.Unknown ? VocabularyPass.Generic
        : VocabularyPass.Specific;

    /// <summary>The first table (in file order) that knows an identifier in the record.</summary>
    public bool TryMatch(EventRecord record, out VocabularyMatch match)
    {
        foreach (var table in Tables)
            if (table.TryMatch(record, Source, out match)) return true;
        match = default;
        return false;
    }

    public static SourceVocabulary Load(string origin, string yaml)
    {
        VocabularyFile file;
        try
        {
            file = Yaml.Deserialize<VocabularyFile>(yaml) ?? throw new RuleValidationException($"{origin}: the file is empty");
        }
        catch (YamlException ex)
        {
            throw new RuleValidationException($"{origin}: line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}");
        }
        if (string.IsNullOrWhiteSpace(file.Source)) throw new RuleValidationException($"{origin}: has no 'source'");
        if (file.Tables is not { Count: > 0 }) throw new RuleValidationException($"{origin}: has no tables");

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var tables = new List<VocabularyTable>();
        for (var i = 0; i < file.Tables.Count; i++)
        {
            var table = file.Tables[i];
            var where = table?.Name is { Length: > 0 } n ? $"table '{n}'" : $"table #{i + 1}";
            try
            {
                tables.Add(Compile(file.Source, table, names));
            }
            catch (RuleValidationException ex)
            {
                throw new RuleValidationException($"{origin}: {where} {ex.Message}");
            }
        }
        if (file.Kinds is not null && file.Kinds.Any(string.IsNullOrWhiteSpace))
            throw new RuleValidationException($"{origin}: has an empty value in 'kinds'");
        return new SourceVocabulary(file.Source, origin, tables, file.Kinds is { Count: > 0 } ? [.. file.Kinds!.Select(k => k!)] : null);
    }

    private static VocabularyTable Compile(string source, VocabularyTableDefinition? table, HashSet<string> names)
    {
        if (table is null) throw new RuleValidationException("is empty");
        if (string.IsNullOrWhiteSpace(table.Name)) throw new RuleValidationException("has no name");
        if (!names.Add(table.Name)) throw new RuleValidationException("is defined twice");
        var exact = table.Match switch
        {
            "exact" => true,
            "word" => false,
            _ => throw new RuleValidationException($"has match '{table.Match}'; use exact or word"),
        };
        if (table.LookIn is not { Count: > 0 }) throw new RuleValidationException("has no 'lookIn' fields");
        foreach (var field in table.LookIn)
            if (field is null || !RecordFields.TryGet(field, out _))
                throw new RuleValidationException($"looks in '{field}'; fields are {string.Join(", ", RecordFields.Names)}");
        if (table.Entries is not { Count: > 0 }) throw new RuleValidationException("has no entries");

        var entries = new List<VocabularyEntry>(table.Entries.Count);
        foreach (var (identifier, facts) in table.Entries)
        {
            if (string.IsNullOrWhiteSpace(identifier)) throw new RuleValidationException("has an entry with an empty identifier");
            if (facts is null) throw new RuleValidationException($"entry '{identifier}' is empty");
            facts.TryGetValue("category", out var category);
            facts.TryGetValue("severity", out var severity);
            if (category is null || !Taxonomy.IsKnown(category))
                throw new RuleValidationException($"entry '{identifier}' names category '{category}', which is not in the taxonomy");
            if (severity is null || !Taxonomy.Severities.Contains(severity))
                throw new RuleValidationException($"entry '{identifier}' has severity '{severity}'; use one of {string.Join(", ", Taxonomy.Severities)}");
            var rest = facts.Where(f => f.Key is not "category" and not "severity" && f.Value is not null)
                .ToDictionary(f => f.Key, f => f.Value!, StringComparer.Ordinal);
            entries.Add(new VocabularyEntry(identifier.Trim(), category, severity, rest));
        }
        var duplicate = entries.GroupBy(e => exact ? e.Identifier : VocabularyTable.NormalisePhrase(e.Identifier), StringComparer.OrdinalIgnoreCase)
            .FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new RuleValidationException($"lists '{duplicate.Key}' more than once");
        return new VocabularyTable(source, table.Name, exact, table.Generic, [.. table.LookIn!.Select(f => f!)], entries);
    }
}
