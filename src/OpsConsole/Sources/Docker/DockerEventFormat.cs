using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Sources.Docker;

/// <summary>
/// Docker Engine events (<c>docker events --format '{{json .}}'</c> or <c>GET /events</c>), old engines
/// (<c>status/id/from</c>) and new ones (<c>Action/Actor</c> only), and the project's container events as
/// <c>docker compose events --json</c> prints them (<c>action/id/type/attributes</c>, lower case, an RFC 3339 time).
/// The host comes from <c>?host=</c>.
/// </summary>
public sealed class DockerEventFormat : IPayloadFormat
{
    public const string SourceName = DockerProfile.SourceName;

    public string Name => DockerProfile.SourceName;

    public bool Matches(PayloadNode node) =>
        node.IsObject && (node.Has("Action"u8) || node.Has("status"u8) || node.Has("action"u8)) && (node.Has("Actor"u8) || node.Has("id"u8))
        && (node.Has("Type"u8) || node.Has("time"u8) || node.Has("type"u8));

    public void Parse(PayloadNode node, ParseContext context)
    {
        var actor = node.Obj("Actor");
        var attributes = actor?.Obj("Attributes") ?? node.Obj("attributes");
        var action = node.Text("Action") ?? node.Text("status") ?? node.Text("action") ?? throw node.Missing("Action");
        var id = actor?.Str("ID") ?? node.Str("id") ?? throw node.Missing("Actor.ID");
        var type = node.Str("Type") ?? node.Str("type") ?? "container";
        var name = DockerProfile.NameOrShortId(attributes?.Name("name"), id);
        var host = DockerProfile.HostOf(context);
        var time = node.UnixTime("timeNano") ?? node.Time("time");

        var (key, display, parts) = type == "container"
            ? DockerProfile.ContainerInstance(host, name)
            : ($"{DockerProfile.KeyPrefix}/{host}/{type}/{name}", $"{host}/{type} {name}", [new(DockerProfile.Host, host), new(type, name)]);
        // Podman's Docker-compatible API names the exit 'died' and puts the code in containerExitCode (on every event of
        // the container, so it is read from the exit alone).
        var died = action is "die" or "died";
        var entry = died ? "die" : (action.IndexOf(':') is >= 0 and var colon ? action[..colon] : action).Trim();
        var record = context.Add(node, SourceName, "docker-event", entry, key, display, parts, time);
        record.Reason = action;
        record.State = action.StartsWith("health_status", StringComparison.Ordinal) ? action[(action.IndexOf(':') + 1)..].Trim() : action;
        record.Location = host;
        if ((attributes?.Int("exitCode") ?? (died ? attributes?.Int("containerExitCode") : null)) is { } exit) record.ExitCode = exit;
        if (attributes?.Str("signal") is { } signal) record.Signal = signal;
        record.Message = action switch
        {
            "die" or "died" => $"container {name} exited with code {record.ExitCode} after {attributes?.Str("execDuration") ?? "?"} s",
            "oom" => $"container {name} hit its memory limit (OOM)",
            "kill" => $"container {name} was sent signal {record.Signal}",
            _ => $"container {name}: {action}",
        };
    }
}
