namespace OpsConsole.Features.Classification;

/// <summary>The YAML shape of a rules file (see Features/Classification/rules.md).</summary>
public sealed class RuleFile
{
    public int Version { get; set; } = 1;
    public List<RuleDefinition> Rules { get; set; } = [];
}

public sealed class RuleDefinition
{
    public string? Id { get; set; }
    public string? Category { get; set; }
    public string? Severity { get; set; }
    public string? Description { get; set; }
    public RuleConditions? When { get; set; }
}

public sealed class RuleConditions
{
    public List<string>? Kind { get; set; }
    public List<string>? Source { get; set; }
    public List<string>? Format { get; set; }
    public List<string>? Entry { get; set; }
    public List<string>? State { get; set; }
    public List<string>? Reason { get; set; }
    public List<string>? ErrorCode { get; set; }
    public List<string>? Stage { get; set; }
    public List<string>? Signal { get; set; }
    public List<string>? Hint { get; set; }
    public List<string>? ExitCode { get; set; }
    public List<string>? HttpCode { get; set; }
    public bool? HasExitCode { get; set; }
    public string? Message { get; set; }
    public string? MessageAlso { get; set; }
    public string? MessageNot { get; set; }

    /// <summary>The list conditions by their YAML names, for validation.</summary>
    public IEnumerable<(string Field, List<string>? Values)> Lists() =>
    [
        ("kind", Kind), ("source", Source), ("format", Format), ("entry", Entry), ("state", State), ("reason", Reason),
        ("errorCode", ErrorCode), ("stage", Stage), ("signal", Signal), ("hint", Hint), ("exitCode", ExitCode), ("httpCode", HttpCode),
    ];
}
