using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Features.Ingestion.Formats;

/// <summary>
/// Docker Engine events (<c>docker events --format '{{json .}}'</c> or <c>GET /events</c>), old engines
/// (<c>status/id/from</c>) and new ones (<c>Action/Actor</c> only). The host comes from <c>?host=</c>.
/// </summary>
public sealed class DockerEventFormat : IPayloadFormat
{
    public const string SourceName = "docker";

    public string Name => "docker";

    public bool Matches(JsonNode node) =>
        node.IsObject && (node.Has("Action") || node.Has("status")) && (node.Has("Actor") || node.Has("id")) && (node.Has("Type") || node.Has("time"));

    public void Parse(JsonNode node, ParseContext context)
    {
        var actor = node.Obj("Actor");
        var attributes = actor?.Obj("Attributes");
        var action = node.Text("Action") ?? node.Text("status") ?? throw node.Missing("Action");
        var id = actor?.Str("ID") ?? node.Str("id") ?? throw node.Missing("Actor.ID");
        var type = node.Str("Type") ?? "container";
        var name = attributes?.Name("name") ?? (id.Length > 12 ? id[..12] : id);
        var host = context.Query("host") ?? "local";
        var time = node.UnixTime("timeNano") ?? node.Time("time");

        var key = type == "container" ? $"docker/{host}/{name}" : $"docker/{host}/{type}/{name}";
        var record = context.Add(node, SourceName, "docker-event", action.Split(':')[0].Trim(), key,
            type == "container" ? $"{host}/{name}" : $"{host}/{type} {name}", time);
        record.Reason = action;
        record.State = action.StartsWith("health_status", StringComparison.Ordinal) ? action[(action.IndexOf(':') + 1)..].Trim() : action;
        record.Location = host;
        if (attributes?.Int("exitCode") is { } exit) record.ExitCode = exit;
        if (attributes?.Str("signal") is { } signal) record.Signal = signal;
        record.Message = action switch
        {
            "die" => $"container {name} exited with code {record.ExitCode} after {attributes?.Str("execDuration") ?? "?"} s",
            "oom" => $"container {name} hit its memory limit (OOM)",
            "kill" => $"container {name} was sent signal {record.Signal}",
            _ => $"container {name}: {action}",
        };
    }
}
