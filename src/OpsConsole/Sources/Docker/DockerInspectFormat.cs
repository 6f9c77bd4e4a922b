using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Sources.Docker;

/// <summary>
/// What the engine says of one container: <c>docker inspect &lt;container&gt;</c> (an array) or <c>GET /containers/{id}/json</c>
/// (one object). Its <c>State</c> states the last exit (ExitCode, OOMKilled, the runtime's Error) and, with a health
/// check, the health status with the probes' output. The host comes from <c>?host=</c>.
/// </summary>
public sealed class DockerInspectFormat : IPayloadFormat
{
    public string Name => "docker-inspect";

    public bool Matches(PayloadNode node) =>
        node.IsObject && node.Has("State"u8) && (node.Has("Id"u8) || node.Has("ID"u8)) && node.Element.GetProperty("State").ValueKind == System.Text.Json.JsonValueKind.Object;

    public void Parse(PayloadNode node, ParseContext context)
    {
        var state = node.RequiredObj("State");
        var id = node.Str("Id") ?? node.RequiredStr("ID");
        var name = DockerProfile.NameOrShortId(node.Str("Name")?.TrimStart('/'), id);
        var host = DockerProfile.HostOf(context);
        var (key, display, parts) = DockerProfile.ContainerInstance(host, name);
        // API < 1.21 has no Status, only the flags.
        var status = state.Str("Status") ?? (state.Bool("Running") == true ? "running" : state.Bool("Restarting") == true ? "restarting" : "exited");
        var error = state.Str("Error") is { Length: > 0 } text ? text : null;
        // A container that never started ("created") with an Error is a failed start: its ExitCode is the runtime's verdict.
        var ended = status is "exited" or "dead" or "restarting" || (status == "created" && error is not null);
        var time = (ended ? RealTime(state, "FinishedAt") : null) ?? RealTime(state, "StartedAt") ?? RealTime(node, "Created");

        var record = context.Add(node, DockerProfile.SourceName, Name, "state", key, display, parts, time);
        record.State = status;
        record.Location = host;
        // A running container's ExitCode is left over from before it started; only an ended one states an exit.
        if (ended) record.ExitCode = state.Int("ExitCode");
        if (state.Bool("OOMKilled") == true) record.Reason = "OOMKilled";
        // Only the daemon writes State.Error (a start or restart it could not do); rules key on the hint, not on how the message reads.
        if (ended && error is not null) IRecordCorrelation.AddHint(record, DockerProfile.StartErrorHint);
        record.Message = error
                         ?? (ended ? $"container {name} {status} with code {record.ExitCode}" : $"container {name} is {status}");

        if (state.Obj("Health") is { } health && health.Str("Status") is { Length: > 0 } healthStatus)
        {
            var last = health.Array("Log").Select(probe => (PayloadNode?)probe).LastOrDefault();
            var check = context.Add(health, DockerProfile.SourceName, Name, "health_status", key, display, parts,
                (last is { } probe ? RealTime(probe, "End") : null) ?? time);
            check.Reason = $"health_status: {healthStatus}";
            check.State = healthStatus;
            check.Location = host;
            var output = last?.Str("Output")?.Trim();
            check.Message = $"health check {healthStatus} after {health.Int("FailingStreak") ?? 0} failing probe(s)"
                            + (string.IsNullOrEmpty(output) ? "" : $": {output}");
        }
    }

    /// <summary>The engine writes the zero time (0001-01-01T00:00:00Z) for a moment that has not happened.</summary>
    private static DateTimeOffset? RealTime(PayloadNode node, string name) =>
        node.Str(name) is { } text && text.StartsWith("0001-", StringComparison.Ordinal) ? null : node.Time(name);
}
