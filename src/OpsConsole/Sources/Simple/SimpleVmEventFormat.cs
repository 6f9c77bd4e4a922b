using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Sources.Simple;

/// <summary>
/// OpsConsole's own VM-event shape: <c>{source, host?, instance, requestId?, stage, status, message?, timestamp}</c>.
/// </summary>
public sealed class SimpleVmEventFormat : IPayloadFormat
{
    public string Name => "simple";

    // Any object naming a source is taken as this shape, so a missing field is reported by name.
    public bool Matches(PayloadNode node) => node.IsObject && node.Has("source"u8);

    public void Parse(PayloadNode node, ParseContext context)
    {
        var source = node.RequiredStr("source");
        var instance = node.RequiredStr("instance");
        var time = node.Time("timestamp") ?? throw node.Missing("timestamp");
        var record = context.Add(node, source, "opsconsole-vm", "event", $"{source}/{instance}", instance,
            [new(SimpleShape.Source, source), new(SimpleShape.Instance, instance)], time);
        record.Stage = node.RequiredStr("stage");
        record.State = node.RequiredStr("status");
        record.Message = node.Str("message");
        record.RequestId = node.Str("requestId");
        record.Location = node.Str("host");
        record.HttpCode = node.Int("httpCode");
        record.ErrorCode = node.Str("errorCode");
    }
}
