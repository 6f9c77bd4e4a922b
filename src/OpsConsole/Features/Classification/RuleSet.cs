using System.Security.Cryptography;
using System.Text;
using OpsConsole.Features.Records;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsConsole.Features.Classification;

/// <summary>
/// The effective, validated rules: operator rules first, then the shipped ones; first match wins.
/// <see cref="Version"/> hashes every file's text, so a record knows which rules classified it.
/// </summary>
public sealed class RuleSet
{
    private static readonly IDeserializer Yaml = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance)
        .Build();

    private readonly Dictionary<string, ClassificationRule[]> _byKind;
    private readonly ClassificationRule[] _anyKind;

    /// <summary>Every category some rule assigns.</summary>
    public IReadOnlySet<string> Categories { get; }
    public string Version { get; }

    /// <summary>Loadable but suspicious: an operator file with no rules (everything falls to the shipped rules).</summary>
    public IReadOnlyList<string> Warnings { get; }

    private RuleSet(IReadOnlyList<ClassificationRule> rules, string version, IReadOnlyList<string> warnings)
    {
        Categories = rules.Select(r => r.Category).ToHashSet(StringComparer.Ordinal);
        Version = version;
        Warnings = warnings;
        // Most rules name a kind; indexing by kind keeps a record from testing rules that cannot apply to it.
        var kinds = rules.Where(r => r.Kinds is not null).SelectMany(r => r.Kinds!).Distinct(StringComparer.OrdinalIgnoreCase);
        _byKind = kinds.ToDictionary(k => k,
            k => rules.Where(r => r.Kinds is null || r.Kinds.Contains(k, StringComparer.OrdinalIgnoreCase)).ToArray(),
            StringComparer.OrdinalIgnoreCase);
        _anyKind = rules.Where(r => r.Kinds is null).ToArray();
    }

    public Classification Classify(EventRecord record)
    {
        var rules = _byKind.TryGetValue(record.Kind, out var forKind) ? forKind : _anyKind;
        foreach (var rule in rules)
            if (rule.TryMatch(record, out var result)) return result;
        return Classification.Unmatched(record);
    }

    /// <summary>Loads and validates rule files given as (origin, YAML text), highest precedence first.</summary>
    public static RuleSet Load(IEnumerable<(string Origin, string Yaml)> files, TimeSpan? regexTimeout = null)
    {
        // Generous enough for a loaded 2-core machine (the first match also pays for compiling the pattern).
        var timeout = regexTimeout ?? TimeSpan.FromMilliseconds(500);
        var rules = new List<ClassificationRule>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var warnings = new List<string>();
        var list = files.ToList();

        foreach (var (origin, yaml) in list)
        {
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

        return new RuleSet(rules, VersionOf(list), warnings);
    }

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
