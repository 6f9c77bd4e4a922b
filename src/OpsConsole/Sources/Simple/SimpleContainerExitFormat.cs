using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Sources.Simple;

/// <summary>
/// OpsConsole's own container-exit shape for systems with no native format:
/// <c>{source, cluster?, namespace?, workload?, instance, container?, exitCode?, reason?, message?, signal?, restartCount?, startedAt?, finishedAt?}</c>.
/// </summary>
public sealed class SimpleContainerExitFormat : IPayloadFormat
{
    public string Name => "simple";

    // Any object naming a source is taken as this shape, so a missing instance is reported as such.
    public bool Matches(PayloadNode node) => node.IsObject && node.Has("source"u8) && !node.Has("stage"u8);

    public void Parse(PayloadNode node, ParseContext context)
    {
        var source = node.RequiredStr("source");
        var instance = node.RequiredStr("instance");
        var path = JoinPresent(node.Str("cluster"), node.Str("namespace"), node.Str("workload"), instance, node.Str("container"));
        var record = context.Add(node, source, "opsconsole-container", "exit", $"{source}/{path}", path,
            [new(SimpleShape.Source, source), new(SimpleShape.Instance, path)],
            node.Time("finishedAt") ?? node.Time("startedAt"));
        record.ExitCode = node.Int("exitCode");
        record.Reason = node.Str("reason");
        record.Message = node.Str("message");
        record.Signal = node.Str("signal");
        record.RestartCount = node.Int("restartCount");
        record.State = record.ExitCode is null ? node.Str("reason") : "terminated";
        record.Location = node.Str("cluster");
    }

    /// <summary>The given parts joined by '/', empty ones left out (built in place: this runs for every item).</summary>
    private static string JoinPresent(params ReadOnlySpan<string?> parts)
    {
        var handler = new System.Runtime.CompilerServices.DefaultInterpolatedStringHandler(0, parts.Length);
        var first = true;
        foreach (var part in parts)
        {
            if (string.IsNullOrEmpty(part)) continue;
            if (!first) handler.AppendFormatted('/');
            handler.AppendFormatted(part);
            first = false;
        }
        return handler.ToStringAndClear();
    }
}
