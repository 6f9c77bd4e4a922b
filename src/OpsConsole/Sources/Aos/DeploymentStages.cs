using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Aos;

/// <summary>
/// The Aos deployment pipeline (seed A) as a strip: where the newest attempt of an instance got to, and the
/// stage it failed in, read from the categories of its records.
/// </summary>
public static class DeploymentStages
{
    public static IReadOnlyList<string> Names { get; } = ["Resolve URLs", "Download", "Verify", "Unpack / rootfs", "Start", "Running"];

    /// <param name="records">The instance's records, newest first.</param>
    public static IReadOnlyList<PipelineStep> For(IReadOnlyList<RecordDto> records)
    {
        var newest = records.FirstOrDefault();
        var failure = records.FirstOrDefault(r => r.IsFailure && StageOf(r) is not null);
        var running = records.FirstOrDefault(r => IsRunning(r.State));
        int reached;
        int? failedAt = null;
        RecordDto? evidence = null;
        if (failure is not null && (running is null || failure.OccurredAt >= running.OccurredAt))
        {
            failedAt = StageOf(failure)!.Value;
            reached = failedAt.Value;
            evidence = failure;
        }
        else if (running is not null)
        {
            reached = Names.Count; // everything done
        }
        else
        {
            // Still activating: the furthest stage a record names (download alerts carry "download").
            reached = records.Select(r => StageNamed(r.Stage)).Max() ?? 0;
        }

        var steps = new List<PipelineStep>();
        for (var i = 0; i < Names.Count; i++)
        {
            var status = failedAt == i ? StepStatus.Failed
                : i < reached ? StepStatus.Done
                : i == reached && failedAt is null && newest is not null && reached < Names.Count ? StepStatus.Current
                : StepStatus.NotReached;
            steps.Add(new PipelineStep(Names[i], status, failedAt == i ? evidence?.Category : null, failedAt == i ? evidence?.Id : null));
        }
        return steps;
    }

    /// <summary>The stage a failure category belongs to; exits and crash loops happen once the instance runs.</summary>
    public static int? StageOf(RecordDto record) => record.Category switch
    {
        "deploy.blob-url-resolution" => 0,
        "deploy.stalled" => StageNamed(record.Stage) ?? 0,
        var c when c.StartsWith("deploy.download.", StringComparison.Ordinal) => 1,
        var c when c.StartsWith("deploy.verify.", StringComparison.Ordinal) => 2,
        "deploy.launch.missing-layer" or "deploy.launch.overlay-mount" or "deploy.launch.invalid-config" => 3,
        "deploy.launch.resources" or "deploy.launch.systemd-unit" or "deploy.launch.timeout" => 4,
        var c when c.StartsWith("exit.", StringComparison.Ordinal) || c.StartsWith("restart.", StringComparison.Ordinal) => 5,
        _ => null,
    };

    private static int? StageNamed(string? stage) => stage?.ToLowerInvariant() switch
    {
        "download" => 1,
        "verify" => 2,
        "unpack" or "rootfs" => 3,
        "start" => 4,
        _ => null,
    };

    private static bool IsRunning(string? state) => state?.ToLowerInvariant() is "active" or "running" or "activated";
}
