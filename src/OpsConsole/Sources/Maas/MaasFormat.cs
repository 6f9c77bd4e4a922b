using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Maas;

/// <summary>
/// MAAS: the result of <c>maas $PROFILE events query</c> (one record per event) and of
/// <c>machines read</c> (one record per machine's status). The region comes from <c>?region=</c>.
/// </summary>
public sealed class MaasFormat : IPayloadFormat
{
    public const string SourceName = MaasProfile.SourceName;
    public const string EventFormat = "maas-event";

    public string Name => MaasProfile.SourceName;

    public bool Matches(PayloadNode node) =>
        node.IsObject && ((node.Has("events") && (node.Has("count") || node.Has("next_uri"))) || (node.Has("system_id") && (node.Has("status_name") || node.Has("status"))));

    public void Parse(PayloadNode node, ParseContext context)
    {
        var region = context.Query("region") ?? "default";
        if (!node.Has("events"))
        {
            ParseMachine(node, region, context);
            return;
        }

        var index = 0;
        foreach (var ev in node.Array("events"))
        {
            var item = new PayloadNode(ev.Element, index++, ev.Path);
            var systemId = item.RequiredStr("node");
            var type = item.RequiredStr("type");
            var hostname = item.Str("hostname");
            var id = item.Long("id");
            var record = context.Add(item, SourceName, EventFormat, "event", Key(region, systemId),
                hostname is null ? systemId : $"{hostname} ({systemId})", Parts(region, systemId), item.Time("created"),
                identity: id is null ? null : $"{region}/{id}");
            record.Reason = type;
            record.State = item.Str("level");
            record.Message = string.IsNullOrEmpty(item.Str("description")) ? type : item.Str("description");
            record.Location = hostname;
        }
    }

    private static void ParseMachine(PayloadNode machine, string region, ParseContext context)
    {
        var systemId = machine.RequiredStr("system_id");
        var hostname = machine.Str("hostname");
        var record = context.Add(machine, SourceName, "maas-machine", "machine-status", Key(region, systemId),
            hostname is null ? systemId : $"{hostname} ({systemId})", Parts(region, systemId), null);
        record.State = machine.Str("status_name") ?? machine.Str("status");
        record.Reason = record.State;
        record.Message = string.IsNullOrEmpty(machine.Str("status_message")) ? record.State : machine.Str("status_message");
        record.Location = hostname;
    }

    private static string Key(string region, string systemId) => $"{MaasProfile.KeyPrefix}/{region}/{systemId}";

    private static IdentityPart[] Parts(string region, string systemId) => [new(MaasProfile.Region, region), new(MaasProfile.Machine, systemId)];
}
