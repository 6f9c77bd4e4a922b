using Microsoft.Extensions.Options;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Tags records with a taxonomy category from the effective rule set (the shipped rule files of every source plus
/// the operator's extra file). Loading validates every rule; a bad file stops start-up with its message.
/// </summary>
public sealed class IncidentClassifier
{
    private readonly IOptionsMonitor<ClassificationOptions> _options;
    private volatile RuleSet _rules;

    public IncidentClassifier(IOptionsMonitor<ClassificationOptions> options)
    {
        _options = options;
        _rules = RuleSet.Load(ReadRuleFiles());
    }

    public RuleSet Rules => _rules;

    /// <summary>Applies <paramref name="rules"/> to a record, storing category, severity, rule, evidence and rule-set version.</summary>
    public static void Apply(RuleSet rules, EventRecord record)
    {
        var result = rules.Classify(record);
        record.Category = result.Category;
        record.Severity = result.Severity;
        record.RuleId = result.RuleId;
        record.Evidence = result.Evidence;
        record.IsFailure = result.IsFailure;
        record.RulesetVersion = rules.Version;
    }

    /// <summary>Re-reads the rule files; compiles and swaps in the rules only when their text changed. True when it did.</summary>
    public bool Reload()
    {
        var files = ReadRuleFiles();
        if (RuleSet.VersionOf(files) == _rules.Version) return false;
        _rules = RuleSet.Load(files);
        return true;
    }

    /// <summary>The shipped rule files as (path, YAML text), in the order they are tried (Features/Classification/rules.md).</summary>
    public static IEnumerable<(string Origin, string Yaml)> ShippedRuleFiles() =>
        SourceProfiles.RulesFiles.Select(file => (file, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file))));

    private List<(string, string)> ReadRuleFiles()
    {
        var files = new List<(string, string)>();
        if (_options.CurrentValue.ExtraRulesPath is { Length: > 0 } extra)
        {
            if (!File.Exists(extra))
                throw new RuleValidationException($"Classification:ExtraRulesPath '{extra}' does not exist");
            files.Add((extra, File.ReadAllText(extra)));
        }
        files.AddRange(ShippedRuleFiles());
        return files;
    }
}
