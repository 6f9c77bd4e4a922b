using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Maas;

/// <summary>
/// A MAAS machine's boot and commissioning (or deployment) as the steps seed B asks for: what the region
/// saw, and the steps that should have followed but never did. The gap is usually the answer.
/// </summary>
public static class BootSequence
{
    private sealed record Expected(string Name, Func<RecordDto, bool> Seen);

    private static readonly Expected[] Commissioning =
    [
        new("Power on", r => Is(r, "Powering on", "Power on", "Powered on")),
        new("PXE boot", r => Is(r, "Performing PXE boot", "PXE Request")),
        new("Boot files served (TFTP/HTTP)", r => Is(r, "TFTP Request", "HTTP Request")),
        new("Ephemeral image loaded", r => Is(r, "Loading ephemeral")),
        new("Reported back to the region (cloud-init)", r => MaasSteps.IsReport(r.Reason, r.Message)),
        new("Commissioning scripts finished", r => Is(r, "Script result", "Commissioning script") && !r.IsFailure),
        new("Ready", r => r.Message?.Contains("to 'Ready'", StringComparison.OrdinalIgnoreCase) == true || Is(r, "Ready")),
    ];

    private static readonly Expected[] Deployment =
    [
        new("Power on", r => Is(r, "Powering on", "Power on", "Powered on")),
        new("PXE boot", r => Is(r, "Performing PXE boot", "PXE Request")),
        new("Installing OS", r => Is(r, "Installing OS")),
        new("Installer reported back (cloud-init)", r => Is(r, "Node installation") || MaasSteps.IsReport(r.Reason, r.Message)),
        new("Deployed", r => r.Message?.Contains("to 'Deployed'", StringComparison.OrdinalIgnoreCase) == true || Is(r, "Deployed")),
    ];

    /// <param name="records">The machine's records, newest first.</param>
    public static (string Operation, IReadOnlyList<PipelineStep> Steps) For(IReadOnlyList<RecordDto> records)
    {
        var deploying = records.Any(r => Is(r, "Installing OS", "Node installation", "Node installation failure", "Deploying")
                                         || r.Message?.Contains("'Deploying'", StringComparison.Ordinal) == true);
        var expected = deploying ? Deployment : Commissioning;
        var ended = records.Any(r => r.IsFailure);
        var seen = expected.Select(e => records.Where(e.Seen).OrderBy(r => r.OccurredAt).FirstOrDefault()).ToList();
        var last = seen.FindLastIndex(r => r is not null);
        var failure = records.FirstOrDefault(r => r.IsFailure);

        // Steps before the last one seen happened even if nothing reported them; after it, the first step that
        // never came is the gap to look at, and the rest were simply never reached.
        var steps = new List<PipelineStep>();
        for (var i = 0; i < expected.Length; i++)
        {
            var record = seen[i];
            var (status, detail) = record is not null ? (StepStatus.Done, record.Reason)
                : i < last ? (StepStatus.Done, "not reported (later steps happened)")
                : i == last + 1 && ended ? (StepStatus.Missing, failure is null ? "never happened" : $"never happened; then {failure.Category}")
                : i == last + 1 ? (StepStatus.Current, "waiting for it")
                : (StepStatus.NotReached, (string?)null);
            steps.Add(new PipelineStep(expected[i].Name, status, detail, status == StepStatus.Missing ? failure?.Id : record?.Id));
        }
        return (deploying ? "Deployment" : "Commissioning", steps);
    }

    private static bool Is(RecordDto r, params string[] types) =>
        r.Reason is { } reason && types.Any(t => reason.Equals(t, StringComparison.OrdinalIgnoreCase));
}
