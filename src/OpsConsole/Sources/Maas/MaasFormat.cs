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

    /// <summary>
    /// An events page (with <c>count</c>/<c>next_uri</c>, or the bare <c>{"events": [...]}</c> the docs show), or a
    /// node object: machines carry <c>status_name</c>; devices and controllers (nodes read, rackcontrollers read)
    /// only <c>node_type_name</c>.
    /// </summary>
    public bool Matches(PayloadNode node) =>
        node.IsObject && ((node.Has("events") && (node.Has("count") || node.Has("next_uri") || FirstEventLooksLikeMaas(node)))
                          || (node.Has("system_id") && (node.Has("status_name") || node.Has("status") || node.Has("node_type_name")))
                          || IsScriptOutput(node));

    /// <summary>An item of the installation-results listing: one stored script output (stdout or .err) of a node.</summary>
    private static bool IsScriptOutput(PayloadNode node) => node.Has("script_result") && node.Has("result_type") && node.Has("node");

    private static bool FirstEventLooksLikeMaas(PayloadNode node) =>
        node.Element.GetProperty("events") is { ValueKind: System.Text.Json.JsonValueKind.Array } events
        && events.GetArrayLength() > 0 && events[0].ValueKind == System.Text.Json.JsonValueKind.Object
        && events[0].TryGetProperty("type", out _) && (events[0].TryGetProperty("node", out _) || events[0].TryGetProperty("level", out _));

    /// <summary>Controller, rack and audit events name no machine (<c>node: null</c>); they belong to the region controller.</summary>
    public const string RegionController = "region-controller";

    public void Parse(PayloadNode node, ParseContext context)
    {
        var region = context.Query("region") ?? "default";
        if (IsScriptOutput(node))
        {
            ParseScriptOutput(node, region, context);
            return;
        }
        if (!node.Has("events"))
        {
            ParseMachine(node, region, context);
            return;
        }

        var index = 0;
        foreach (var ev in node.Array("events"))
        {
            var item = new PayloadNode(ev.Element, index++, ev.Path);
            var systemId = item.Element.TryGetProperty("node", out var nodeId) && nodeId.ValueKind == System.Text.Json.JsonValueKind.Null
                ? RegionController : item.RequiredStr("node");
            var type = item.RequiredStr("type");
            var hostname = item.Str("hostname") ?? (item.Has("node") ? null : "region controller");
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
        record.Reason = record.State ?? machine.Str("node_type_name");
        // Controllers and devices have no lifecycle status; their power state is the one fact they report.
        record.Message = !string.IsNullOrEmpty(machine.Str("status_message")) ? machine.Str("status_message")
            : record.State ?? $"{machine.Str("node_type_name") ?? "node"} power {machine.Str("power_state") ?? "unknown"}";
        record.Location = hostname;
        if (machine.Has("results") && machine.Str("type_name") is { } scriptSet) DescribeScriptSet(machine, scriptSet, record);
    }

    /// <summary>
    /// A script set of <c>nodes read-results</c> carries the node's system_id but its status is the scripts' outcome
    /// (SCRIPT_STATUS_CHOICES: Failed, Timed out …), not a machine status; the scripts that did not pass are the evidence.
    /// </summary>
    private static void DescribeScriptSet(PayloadNode scriptSet, string setType, EventRecord record)
    {
        record.Reason = $"{setType} script results";
        var notPassed = new List<string>();
        foreach (var result in scriptSet.Array("results"))
        {
            var status = result.Str("status_name");
            if (status is null or "Passed" or "Skipped" or "Pending" or "Running") continue;
            notPassed.Add($"{result.Str("name") ?? "script"} {status}{(result.Long("exit_status") is { } code ? $" (exit {code})" : "")}");
        }
        if (notPassed.Count > 0) record.Message = $"{record.State}: {string.Join(", ", notPassed)}";
    }

    /// <summary>
    /// The deprecated installation-results listing: script_result is the script's exit status and result_type the
    /// script set it ran in (metadataserver RESULT_TYPE: 0 commissioning, 1 installation, 2 testing, 3 release, 4 deployment).
    /// </summary>
    private static void ParseScriptOutput(PayloadNode output, string region, ParseContext context)
    {
        var systemId = output.RequiredObj("node").RequiredStr("system_id");
        var exitStatus = output.Long("script_result");
        var setType = output.Long("result_type") switch { 0 => "Commissioning", 1 => "Installation", 2 => "Testing", 3 => "Release", 4 => "Deployment", _ => "Script" };
        var record = context.Add(output, SourceName, "maas-script-output", "script-output", Key(region, systemId), systemId,
            Parts(region, systemId), output.Time("updated") ?? output.Time("created"));
        record.State = exitStatus is null or 0 ? "Passed" : "Failed";
        record.Reason = $"{setType} script results";
        record.Message = $"{output.Str("name") ?? "script"} exited {exitStatus?.ToString() ?? "without a status"}";
    }

    private static string Key(string region, string systemId) => $"{MaasProfile.KeyPrefix}/{region}/{systemId}";

    private static IdentityPart[] Parts(string region, string systemId) => [new(MaasProfile.Region, region), new(MaasProfile.Machine, systemId)];
}
