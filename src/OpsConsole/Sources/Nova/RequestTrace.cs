using OpsConsole.Features.Instances.Timeline;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Nova;

/// <summary>One Nova request followed across API → scheduler → compute → finalize (seed E), from its records.</summary>
public sealed record TracedRequest(string RequestId, DateTimeOffset StartedAt, IReadOnlyList<PipelineStep> Steps);

public static class RequestTrace
{
    public static IReadOnlyList<string> Names { get; } = ["API", "Scheduler", "Compute", "Finalize"];

    /// <param name="records">The server's records, newest first.</param>
    /// <summary>One trace per request id; records without one (a server's fault, an API error) form their own trace.</summary>
    public static IReadOnlyList<TracedRequest> For(IReadOnlyList<RecordDto> records) =>
        records.GroupBy(r => r.RequestId is { Length: > 0 } id ? id : NoRequestId)
            .Where(g => g.Key != NoRequestId || g.Any(r => StageOf(r) is not null))
            .Select(g => Trace(g.Key, g.ToList()))
            .OrderByDescending(t => t.StartedAt)
            .ToList();

    public const string NoRequestId = "(no request id reported)";

    private static TracedRequest Trace(string requestId, List<RecordDto> records)
    {
        var failure = records.Where(r => r.IsFailure).Select(r => (Record: r, Stage: StageOf(r))).FirstOrDefault(f => f.Stage is not null);
        var furthest = records.Where(r => !r.IsFailure).Select(StageOf).Max() ?? -1;
        var finished = records.Any(r => r.State?.Equals("active", StringComparison.OrdinalIgnoreCase) == true);
        if (finished) furthest = Names.Count;
        var steps = new List<PipelineStep>();
        for (var i = 0; i < Names.Count; i++)
        {
            var status = failure.Stage == i ? StepStatus.Failed
                : i <= furthest || (failure.Stage is { } failed && i < failed) ? StepStatus.Done
                : StepStatus.NotReached;
            steps.Add(new PipelineStep(Names[i], status,
                failure.Stage == i ? failure.Record.Category : HostAt(records, i), failure.Stage == i ? failure.Record.Id : null));
        }
        return new TracedRequest(requestId, records.Min(r => r.OccurredAt), steps);
    }

    private static int? StageOf(RecordDto r) => r.Stage?.ToLowerInvariant() switch
    {
        "api" => 0,
        "scheduler" or "conductor" or "scheduling" => 1,
        "compute" or "networking" or "block_device_mapping" or "spawning" => 2,
        _ => r.Category switch
        {
            var c when c.StartsWith("vm.api.", StringComparison.Ordinal) => 0,
            var c when c.StartsWith("vm.schedule.", StringComparison.Ordinal) => 1,
            var c when c.StartsWith("vm.compute.", StringComparison.Ordinal) => 2,
            var c when c.StartsWith("vm.boot.", StringComparison.Ordinal) => 3,
            _ => null,
        },
    };

    private static string? HostAt(List<RecordDto> records, int stage) =>
        records.FirstOrDefault(r => StageOf(r) == stage && r.Location is { Length: > 0 })?.Location;
}
