namespace OpsConsole.Features.Runbooks;

public sealed class RunbookOptions
{
    public const string SectionName = "Runbooks";

    /// <summary>A folder of operator runbooks (*.md) that override or add to the shipped ones; re-read when it changes.</summary>
    public string? ExtraPath { get; set; }
}
