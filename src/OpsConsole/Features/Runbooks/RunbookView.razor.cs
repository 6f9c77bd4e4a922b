using Microsoft.AspNetCore.Components;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Runbooks;

public partial class RunbookView
{
    private IReadOnlyList<RunbookBlock> _blocks = [];

    [Parameter, EditorRequired] public RunbookSection Section { get; set; } = default!;

    /// <summary>The record the runbook was opened from; null shows the runbook alone, placeholders unfilled.</summary>
    [Parameter] public EventRecord? Record { get; set; }

    /// <summary>
    /// The runtime whose commands to show when no record says (a record's own source always wins); null shows
    /// every runtime's, each labelled.
    /// </summary>
    [Parameter] public string? Runtime { get; set; }

    /// <summary>The runtime the commands are filtered to, or null for all.</summary>
    private string? ShownRuntime { get; set; }

    /// <summary>The saved state of each step for this failure (by step id).</summary>
    [Parameter] public IReadOnlyDictionary<string, RunbookStepMark>? Marks { get; set; }

    /// <summary>Called when the operator ticks or unticks a step (guided mode only); without it the boxes are read-only.</summary>
    [Parameter] public EventCallback<RunbookStepChange> OnStepChanged { get; set; }

    private IReadOnlyDictionary<string, string>? Values { get; set; }

    private bool MissingPlaceholders => _blocks.Any(b => b.Html.Contains("placeholder missing", StringComparison.Ordinal));

    protected override void OnParametersSet()
    {
        Values = Record is null ? null : RunbookPlaceholders.For(Record);
        ShownRuntime = Record is null ? Runtime : RunbookRuntimes.Of(Record);
        _blocks = RunbookMarkdownRenderer.Render(Section.Markdown, Values, ShownRuntime);
    }

    private Task ToggleAsync(RunbookStep step, bool done) =>
        Record is null ? Task.CompletedTask : OnStepChanged.InvokeAsync(new RunbookStepChange(step, done));

    private static IEnumerable<(string Label, string Value)> KeyFields(EventRecord r)
    {
        (string, string?)[] fields =
        [
            ("When", r.OccurredAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'")),
            ("Instance key", r.InstanceKey),
            ("Source", $"{r.Source} ({r.Format})"),
            ("Where", r.Location),
            ("State", r.State),
            ("Reason", r.Reason),
            ("Exit code", r.ExitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Error code", r.ErrorCode),
            ("Stage", r.Stage),
            ("Request id", r.RequestId),
            ("Message", r.Message),
            ("Rule", r.RuleId),
            ("Evidence", r.Evidence),
        ];
        return fields.Where(f => !string.IsNullOrWhiteSpace(f.Item2)).Select(f => (f.Item1, f.Item2!));
    }
}

public sealed record RunbookStepChange(RunbookStep Step, bool Done);
