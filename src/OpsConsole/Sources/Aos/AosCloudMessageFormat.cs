using System.Text.RegularExpressions;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Aos;

/// <summary>
/// Aos cloud-protocol messages (<c>{header, data}</c>): <c>unitStatus</c> (full and delta) and <c>alerts</c>,
/// protocol v7 (nested item/instance identities) and legacy v6 (flat services/instances with <c>status</c>).
/// </summary>
public sealed partial class AosCloudMessageFormat : IPayloadFormat
{
    public const string SourceName = AosProfile.SourceName;

    // Index of the Aos error enum (aos_core_lib_cpp error.hpp); unknown codes stay visible as "unknown".
    private static readonly string[] ErrorNames =
    [
        "eNone", "eFailed", "eRuntime", "eNoMemory", "eOutOfRange", "eNotFound", "eInvalidArgument", "eTimeout",
        "eAlreadyExist", "eWrongState", "eInvalidChecksum", "eAlreadyLoggedIn", "eNotSupported", "eEOF", "eCanceled",
    ];

    public string Name => AosProfile.SourceName;

    public bool Matches(PayloadNode node) =>
        node.Obj("header") is not null && node.Obj("data") is not null || IsBareBody(node);

    /// <summary>
    /// The message body alone (<c>{"messageType": …}</c>) is what the Aos C++ cloud protocol serialises before
    /// the transport wraps it; it names no unit, so <c>?unit=</c> must.
    /// </summary>
    private static bool IsBareBody(PayloadNode node) =>
        node.IsObject && !node.Has("header") && node.Str("messageType") is { Length: > 0 };

    public void Parse(PayloadNode node, ParseContext context)
    {
        var bare = IsBareBody(node);
        PayloadNode? header = bare ? null : node.RequiredObj("header");
        var data = bare ? node : node.RequiredObj("data");
        var systemId = header?.Str("systemId") ?? context.Query("unit")
                       ?? (bare
                           ? throw new PayloadException(node.Item, "unit",
                               "A bare Aos message body does not name its unit; pass ?unit=<systemId> or send the {header, data} envelope.")
                           : "unknown-unit");
        var message = new Message(
            Version: header?.Int("version") ?? (data.Has("services") ? 6 : 7),
            SystemId: systemId,
            CreatedAt: header?.Time("createdAt") ?? data.Time("createdAt"));

        switch (data.RequiredStr("messageType"))
        {
            case "unitStatus": ParseUnitStatus(data, message, context); break;
            case "alerts": ParseAlerts(data, message, context); break;
            case var other:
                throw new PayloadException(node.Item, bare ? "messageType" : "data.messageType",
                    $"messageType '{other}' is not ingested here; send 'unitStatus' or 'alerts'.");
        }
    }

    private sealed record Message(int Version, string SystemId, DateTimeOffset? CreatedAt)
    {
        public string Format(string type) => $"aos-{type}-v{Version}";
    }

    private static void ParseUnitStatus(PayloadNode data, Message message, ParseContext context)
    {
        var format = message.Format("unitstatus");

        foreach (var config in data.Array("unitConfig"))
        {
            var state = config.Str("state") ?? config.Str("status");
            if (!IsFailedState(state) && config.Obj("errorInfo") is null) continue;
            var (key, parts) = UnitPart(message, "unit-config");
            var record = context.Add(config, SourceName, format, "unit-config",
                key, $"unit {Short(message.SystemId)} · config {config.Str("version")}", parts, message.CreatedAt);
            record.State = state;
            ApplyErrorInfo(record, config.Obj("errorInfo"));
        }

        foreach (var node in data.Array("nodes"))
        {
            // v7: identity{codename}, state, isConnected; v6: id/name, status.
            var codename = node.Obj("identity")?.Str("codename") ?? node.Obj("identity")?.Str("id") ?? node.Str("id") ?? node.Str("name");
            var state = node.Str("state") ?? node.Str("status");
            var connected = node.Bool("isConnected");
            if (state != "error" && connected != false && node.Obj("errorInfo") is null) continue;
            var (key, parts) = UnitPart(message, "node", codename);
            var record = context.Add(node, SourceName, format, "node",
                key, $"unit {Short(message.SystemId)} · node {codename}", parts, message.CreatedAt);
            record.State = connected == false && state != "error" ? "disconnected" : state;
            record.Location = codename;
            ApplyErrorInfo(record, node.Obj("errorInfo"));
            record.Message ??= connected == false ? "node lost its connection to the unit" : null;
        }

        // v7 items[] carry item{id|codename,type}; v6 has services[], layers[], components[].
        foreach (var item in data.Array("items"))
            AddItem(item, Identity(item.Obj("item")), item.Obj("item")?.Str("type"), item.Str("state"), message, format, context);
        foreach (var (section, type) in new[] { ("services", "service"), ("layers", "layer"), ("components", "component") })
            foreach (var item in data.Array(section))
                AddItem(item, item.Str("id") ?? item.Str("digest"), item.Str("type") ?? type, item.Str("status"), message, format, context);

        foreach (var entry in data.Array("instances"))
        {
            if (entry.Has("instances"))
            {
                var itemId = Identity(entry.Obj("item")) ?? throw entry.Missing("item.id");
                var subjectId = Identity(entry.Obj("subject")) ?? throw entry.Missing("subject.id");
                foreach (var instance in entry.Array("instances"))
                {
                    AddInstance(instance, itemId, entry.Obj("item")?.Str("type"), subjectId,
                        instance.Obj("node")?.Str("codename") ?? instance.Obj("node")?.Str("id"),
                        instance.Str("state"), message, format, context);
                }
            }
            else
            {
                var itemId = entry.Str("serviceId") ?? entry.Str("itemId") ?? throw entry.Missing("serviceId");
                AddInstance(entry, itemId, "service", entry.Name("subjectId") ?? throw entry.Missing("subjectId"), entry.Str("nodeId"),
                    entry.Str("status") ?? entry.Str("state"), message, format, context);
            }
        }
    }

    private static void AddItem(PayloadNode item, string? id, string? type, string? state, Message message, string format, ParseContext context)
    {
        if (!IsFailedState(state) && item.Obj("errorInfo") is null) return;
        if (id is null) throw item.Missing("id");
        var (key, parts) = UnitPart(message, "item", id);
        var record = context.Add(item, SourceName, format, "item",
            key, $"unit {Short(message.SystemId)} · {type ?? "item"} {Short(id)} {item.Str("version")}".TrimEnd(),
            parts, message.CreatedAt);
        record.State = state;
        record.Reason = type;
        ApplyErrorInfo(record, item.Obj("errorInfo"));
    }

    private static void AddInstance(PayloadNode instance, string itemId, string? itemType, string subjectId, string? node,
        string? state, Message message, string format, ParseContext context)
    {
        var index = instance.Long("instance") ?? 0;
        var (key, parts) = Instance(message.SystemId, itemId, subjectId, index);
        var record = context.Add(instance, SourceName, format, "instance",
            key, InstanceName(message.SystemId, itemType, itemId, subjectId, index), parts, message.CreatedAt);
        record.State = state ?? throw instance.Missing("state");
        record.Location = node;
        ApplyErrorInfo(record, instance.Obj("errorInfo"), exitIsProcessStatus: true);
    }

    private static void ParseAlerts(PayloadNode data, Message message, ParseContext context)
    {
        var format = message.Format("alerts");
        foreach (var alert in data.Array("items"))
        {
            var tag = alert.RequiredStr("tag");
            var time = alert.Time("timestamp") ?? message.CreatedAt;
            var node = alert.Obj("node")?.Str("codename") ?? alert.Obj("node")?.Str("id") ?? alert.Str("nodeId");
            EventRecord record;
            switch (tag)
            {
                case "updateItemInstanceAlert" or "serviceInstanceAlert" or "instanceQuotaAlert" or "resourceAllocateAlert":
                {
                    var itemId = Identity(alert.Obj("item")) ?? alert.Str("serviceId") ?? alert.Str("itemId") ?? throw alert.Missing("item.id");
                    var subjectId = Identity(alert.Obj("subject")) ?? alert.Name("subjectId") ?? throw alert.Missing("subject.id");
                    var index = alert.Long("instance") ?? 0;
                    var (key, parts) = Instance(message.SystemId, itemId, subjectId, index);
                    record = context.Add(alert, SourceName, format, EntryFor(tag),
                        key, InstanceName(message.SystemId, "service", itemId, subjectId, index), parts, time);
                    break;
                }
                case "downloadProgressAlert":
                {
                    // v7 names the blob (digest/url); v6 names the target item.
                    var (part, id) = alert.Str("targetId") is { } targetId ? ("item", targetId) : ("download", Short(alert.Str("digest") ?? alert.Str("url") ?? "unknown"));
                    var (key, parts) = UnitPart(message, part, id);
                    record = context.Add(alert, SourceName, format, "download-alert",
                        key, $"unit {Short(message.SystemId)} · {part} {id.Replace('/', ' ')}", parts, time);
                    record.Stage = "download";
                    record.State = alert.Str("state") ?? DownloadStateFromText(alert.Str("message"));
                    record.Reason = alert.Str("reason");
                    break;
                }
                default:
                {
                    var (key, parts) = UnitPart(message, "node", node ?? "unit");
                    record = context.Add(alert, SourceName, format, EntryFor(tag),
                        key, $"unit {Short(message.SystemId)} · node {node ?? "unit"}", parts, time);
                }
                    break;
            }

            record.Location ??= node;
            record.Reason ??= alert.Str("coreComponent") ?? alert.Str("parameter");
            record.Message = Clean(alert.Str("message"))
                ?? (alert.Has("parameter") ? $"{alert.Str("parameter")} at {alert.Str("value")}" : null);
            ApplyErrorInfo(record, alert.Obj("errorInfo"));
            record.Message ??= record.Reason;
        }
    }

    private static string EntryFor(string tag) => tag switch
    {
        "updateItemInstanceAlert" or "serviceInstanceAlert" => "instance-alert",
        "instanceQuotaAlert" or "systemQuotaAlert" => "quota-alert",
        "coreAlert" => "core-alert",
        "systemAlert" => "system-alert",
        "resourceAllocateAlert" => "resource-alert",
        _ => tag,
    };

    private static string? DownloadStateFromText(string? text) =>
        text is null ? null
        : text.Contains("interrupt", StringComparison.OrdinalIgnoreCase) ? "interrupted"
        : text.Contains("finish", StringComparison.OrdinalIgnoreCase) ? "finished"
        : null;

    /// <summary>
    /// Only an instance's errorInfo carries the process exit status; elsewhere a non-zero exitCode is the
    /// errno behind an eRuntime error, kept beside the error name. The downloader reports libcurl's
    /// CURLE_HTTP_RETURNED_ERROR with the storage's HTTP status in exitCode: that number is neither, so it is
    /// kept as the record's HTTP code.
    /// </summary>
    private static void ApplyErrorInfo(EventRecord record, PayloadNode? errorInfo, bool exitIsProcessStatus = false)
    {
        if (errorInfo is not { } info) return;
        var code = info.Int("aosCode");
        if (code is > 0) record.ErrorCode = code < ErrorNames.Length ? ErrorNames[code.Value] : "unknown";
        var exit = info.Int("exitCode");
        var text = Clean(info.Str("message"));
        if (exit is >= 400 and <= 599 && IsHttpStatusError(text)) record.HttpCode = exit;
        else if (exit is not null and not 0)
        {
            if (exitIsProcessStatus) record.ExitCode = exit;
            else record.ErrorCode = $"{record.ErrorCode ?? "error"} (errno {exit})";
        }
        if (text is not null)
            record.Message = record.Message is null ? text : $"{record.Message}: {text}";
    }

    /// <summary>curl_easy_strerror(CURLE_HTTP_RETURNED_ERROR): the request got an HTTP status of 400 or more.</summary>
    private static bool IsHttpStatusError(string? text) =>
        text is not null && text.Contains("HTTP response code said error", StringComparison.OrdinalIgnoreCase);

    private static bool IsFailedState(string? state) => state is "failed" or "error";

    /// <summary>An identity's id or codename; an empty one is refused (it would leave a gap in the instance key).</summary>
    private static string? Identity(PayloadNode? identity) =>
        identity?.Name("id") ?? identity?.Name("codename");

    /// <summary>A part of the unit other than a service instance: <c>aos/{unit}/{part}[/{id}]</c>.</summary>
    private static (string Key, IdentityPart[] Parts) UnitPart(Message message, string part, string? id = null) =>
        id is null
            ? ($"{AosProfile.KeyPrefix}/{message.SystemId}/{part}", [new(AosProfile.Unit, message.SystemId), new(AosProfile.Part, part)])
            : ($"{AosProfile.KeyPrefix}/{message.SystemId}/{part}/{id}", [new(AosProfile.Unit, message.SystemId), new(AosProfile.Part, part), new(AosProfile.Id, id)]);

    /// <summary>A service instance: <c>aos/{unit}/{item}/{subject}/{instance}</c>.</summary>
    private static (string Key, IdentityPart[] Parts) Instance(string systemId, string itemId, string subjectId, long index)
    {
        var instance = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return ($"{AosProfile.KeyPrefix}/{systemId}/{itemId}/{subjectId}/{instance}",
            [new(AosProfile.Unit, systemId), new("item", itemId), new("subject", subjectId), new("instance", instance)]);
    }

    private static string InstanceName(string systemId, string? itemType, string itemId, string subjectId, long index) =>
        $"unit {Short(systemId)} · {itemType ?? "service"} {Short(itemId)} · subject {Short(subjectId)} · #{index}";

    private static string Short(string id) => id.Length > 8 && id[8] == '-' ? id[..8] : id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..19] : id;

    /// <summary>v6 messages end with a Go location like "[…/runner.(*Runner).StartInstance.func1:151]"; the console shows the text without it.</summary>
    private static string? Clean(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : GoLocationSuffix().Replace(text, "").Trim();

    [GeneratedRegex(@"\s*\[[^\[\]]*\.go:\d+\]$|\s*\[[\w./()*-]+:\d+\]$")]
    private static partial Regex GoLocationSuffix();
}
