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
    private readonly ILogger<IncidentClassifier> _logger;
    private volatile RuleSet _rules;
    private volatile string? _problem;

    public IncidentClassifier(IOptionsMonitor<ClassificationOptions> options, ILogger<IncidentClassifier> logger)
    {
        _options = options;
        _logger = logger;
        _rules = RuleSet.Load(ReadRuleFiles());
        LogWarnings(_rules);
    }

    public RuleSet Rules => _rules;

    /// <summary>Why the rule files on disk are not the rules in force (file, rule and problem), or null when they are.</summary>
    public string? Problem => _problem;

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
    /// <summary>A file that does not load throws (its message is kept as <see cref="Problem"/>) and the current rules stay.</summary>
    public bool Reload()
    {
        try
        {
            var files = ReadRuleFiles();
            if (RuleSet.VersionOf(files) == _rules.Version)
            {
                _problem = null; // a bad edit reverted
                return false;
            }
            var loaded = RuleSet.Load(files);
            LogWarnings(loaded);
            _rules = loaded;
            _problem = null;
            return true;
        }
        catch (Exception ex)
        {
            _problem = ex.Message;
            throw;
        }
    }

    private void LogWarnings(RuleSet rules)
    {
        foreach (var warning in rules.Warnings) _logger.LogWarning("Rules: {Warning}", warning);
    }

    /// <summary>The shipped rule and vocabulary files as (path, YAML text), in load order (Features/Classification/rules.md).</summary>
    public static IEnumerable<(string Origin, string Yaml)> ShippedRuleFiles() =>
        SourceProfiles.RulesFiles.Concat(SourceProfiles.VocabularyFiles)
            .Select(file => (file, File.ReadAllText(Path.Combine(AppContext.BaseDirectory, file))));

    /// <summary>Shipped files are named relative to the app folder (<c>Sources/…</c>); anything else is the operator's.</summary>
    public static bool IsShipped(string origin) => origin.StartsWith("Sources/", StringComparison.Ordinal);

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
