using System.Text.Json;
using System.Text.RegularExpressions;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Nova;

/// <summary>
/// OpenStack Nova: a server body with its <c>fault</c>, the error body a create request got back,
/// instance actions (with or without their events) and versioned notifications, bare or inside the
/// oslo.messaging envelope. The cloud name comes from <c>?cloud=</c>; an API error body names no server,
/// so <c>?server=</c> and <c>?requestId=</c> give it.
/// </summary>
public sealed partial class NovaFormat : IPayloadFormat
{
    public const string SourceName = NovaProfile.SourceName;

    public string Name => NovaProfile.SourceName;

    /// <summary>The entry of a notification record.</summary>
    public const string NotificationEntry = "notification";

    public bool Matches(PayloadNode node) =>
        node.IsObject && (node.Has("server") || node.Has("servers") || node.Has("instanceAction") || node.Has("instanceActions")
                          || node.Has("service") || node.Has("services") || node.Has("hypervisors") || node.Has("migrations")
                          || (node.Has("event_type") && node.Has("payload")) || node.Has("oslo.message") || IsErrorBody(node));

    public void Parse(PayloadNode node, ParseContext context)
    {
        var cloud = context.Query("cloud") ?? "default";
        if (node.Obj("server") is { } server) ParseServer(server, cloud, context);
        else if (node.Has("servers")) foreach (var s in node.Array("servers")) ParseServer(s, cloud, context);
        else if (node.Obj("instanceAction") is { } action) ParseAction(action, cloud, context);
        else if (node.Has("instanceActions")) foreach (var a in node.Array("instanceActions")) ParseAction(a, cloud, context);
        else if (node.Obj("service") is { } service) ParseService(service, cloud, context);
        else if (node.Has("services")) foreach (var sv in node.Array("services")) ParseService(sv, cloud, context);
        else if (node.Has("hypervisors")) foreach (var h in node.Array("hypervisors")) ParseHypervisor(h, cloud, context);
        else if (node.Has("migrations")) foreach (var m in node.Array("migrations")) ParseMigration(m, cloud, context);
        else if (node.Has("oslo.message")) ParseNotification(Unwrap(node), cloud, context);
        else if (node.Has("event_type")) ParseNotification(node, cloud, context);
        else ParseErrorBody(node, cloud, context);
    }

    private static bool IsErrorBody(PayloadNode node)
    {
        if (!node.IsObject) return false;
        var properties = node.Element.EnumerateObject().ToList();
        return properties.Count == 1 && properties[0].Value.ValueKind == JsonValueKind.Object
               && properties[0].Value.TryGetProperty("message", out _);
    }

    private static void ParseServer(PayloadNode server, string cloud, ParseContext context)
    {
        var id = server.RequiredStr("id");
        var fault = server.Obj("fault");
        var record = context.Add(server, SourceName, "nova-server", fault is null ? "server" : "fault",
            ServerKey(cloud, id), server.Str("name") ?? id, ServerParts(cloud, id),
            fault?.Time("created") ?? server.Time("updated") ?? server.Time("created"));
        record.State = server.Str("status");
        record.Stage = server.Str("OS-EXT-STS:task_state") ?? server.Str("OS-EXT-STS:vm_state");
        record.Location = server.Str("OS-EXT-SRV-ATTR:host");
        if (fault is { } f)
        {
            record.HttpCode = f.Int("code");
            record.Message = f.Str("message");
            record.ErrorCode = ExceptionName(f.Str("details"));
        }
    }

    private static void ParseAction(PayloadNode action, string cloud, ParseContext context)
    {
        var instance = action.RequiredStr("instance_uuid");
        var requestId = action.Str("request_id");
        var events = action.Array("events").ToList();
        if (events.Count == 0)
        {
            var record = context.Add(action, SourceName, "nova-instance-action", "action", ServerKey(cloud, instance), instance, ServerParts(cloud, instance),
                action.Time("start_time"));
            record.Reason = action.Str("action");
            record.State = action.Str("message") ?? "Success";
            record.RequestId = requestId;
            record.Message = $"{record.Reason} action {(record.State == "Error" ? "failed" : "recorded")}";
            return;
        }

        // Each event is a step of the request (conductor scheduling, compute build); the failed one says why.
        foreach (var ev in events)
        {
            var name = ev.RequiredStr("event");
            var record = context.Add(ev, SourceName, "nova-instance-action", "action-event", ServerKey(cloud, instance), instance, ServerParts(cloud, instance),
                ev.Time("finish_time") ?? ev.Time("start_time"));
            record.Reason = action.Str("action");
            record.State = ev.Str("result");
            record.Stage = StageOfEvent(name);
            record.RequestId = requestId;
            record.Location = ev.Str("host");
            record.ErrorCode = ExceptionName(ev.Str("traceback"));
            record.Message = ev.Str("details") ?? (record.State == "Error" ? $"{name} failed" : name);
        }
    }

    /// <summary>
    /// A versioned notification (<c>payload.nova_object.data</c>) or a legacy unversioned one (the payload itself,
    /// <c>instance_id</c> naming the server). Instance, compute-task, scheduler and volume-usage payloads name a
    /// server; the rest (service.update, libvirt.connect.error, compute.exception, aggregate.*, metrics.update)
    /// are about a compute host, which is filed as an instance of its own: its failure often explains the
    /// server failures that follow.
    /// </summary>
    private static void ParseNotification(PayloadNode notification, string cloud, ParseContext context)
    {
        var eventType = notification.RequiredStr("event_type");
        var payload = notification.RequiredObj("payload");
        var data = payload.Obj("nova_object.data") ?? payload;
        var payloadName = payload.Str("nova_object.name") ?? "";
        var exception = (data.Obj("fault") ?? data.Obj("reason")) is { } e ? e.Obj("nova_object.data") ?? e
            : data.Element.TryGetProperty("exception", out var ex) && ex.ValueKind == JsonValueKind.String ? data : (PayloadNode?)null;
        var aboutServer = payloadName.StartsWith("Instance", StringComparison.Ordinal)
                          || eventType.StartsWith("instance.", StringComparison.Ordinal)
                          || eventType.StartsWith("compute.instance.", StringComparison.Ordinal);
        var instance = data.Str("instance_uuid") ?? data.Str("instance_id")
                       ?? data.Obj("request_spec")?.Obj("nova_object.data")?.Str("instance_uuid")
                       ?? (aboutServer ? data.Str("uuid") : null);
        // Versioned notifications publish as "nova-compute:host", legacy ones as "compute.host".
        var publisherId = notification.Str("publisher_id");
        var publisher = publisherId?.Split(publisherId.Contains(':') ? ':' : '.', 2);
        var publisherHost = publisher?.ElementAtOrDefault(1);
        var host = data.Str("host") ?? publisherHost;
        if (instance is null && host is null)
            throw aboutServer ? payload.Missing("nova_object.data.uuid") : notification.Missing("publisher_id");

        var (key, display, parts) = instance is not null
            ? (ServerKey(cloud, instance), data.Str("display_name") ?? instance, ServerParts(cloud, instance))
            : (HostKey(cloud, host!), HostDisplay(host!, data.Str("binary")), HostParts(cloud, host!));
        var record = context.Add(notification, SourceName, "nova-notification", NotificationEntry, key, display, parts,
            notification.Time("timestamp"), identity: notification.Str("message_id"));
        record.Reason = eventType;
        // State is the instance's (or service's) own state only; the priority is a verdict on the notification, not on
        // the instance, and reaches classification as a hint, so an instance in vm_state error is not an ERROR notification.
        record.State = data.Element.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String
            ? state.GetString()
            : payloadName.StartsWith("ServiceStatusPayload", StringComparison.Ordinal) ? ServiceState(data)
            : null;
        record.ErrorCode = exception?.Str("exception");
        record.Message = exception?.Str("exception_message") ?? data.Str("disabled_reason") ?? data.Str("message") ?? eventType;
        // The priority is the notifier's own verdict; classification reads it through NovaProfile.MarkedAsError.
        if (string.Equals(notification.Str("priority"), "ERROR", StringComparison.OrdinalIgnoreCase))
            IRecordCorrelation.AddHint(record, NovaProfile.PriorityErrorHint);
        record.RequestId = data.Str("request_id");
        record.Location = host;
        record.Stage = publisher?[0] switch
        {
            "nova-compute" or "compute" => "compute",
            "nova-conductor" or "conductor" => "conductor",
            "nova-scheduler" or "scheduler" => "scheduler",
            "nova-api" or "nova-osapi_compute" or "api" => "api",
            _ => null,
        };
    }

    /// <summary>A ServiceStatusPayload or os-services row: forced down beats disabled beats the reported state.</summary>
    private static string? ServiceState(PayloadNode service) =>
        service.Bool("forced_down") == true ? "down"
        : service.Str("state") is { } state ? state
        : service.Bool("disabled") == true ? "disabled"
        : service.Bool("disabled") == false ? "up"
        : service.Str("status")?.ToLowerInvariant();

    /// <summary>An os-services row (or the one a force-down answered): a service on a host and whether it is up.</summary>
    private static void ParseService(PayloadNode service, string cloud, ParseContext context)
    {
        var host = service.RequiredName("host");
        var record = context.Add(service, SourceName, "nova-service", "service", HostKey(cloud, host), HostDisplay(host, service.Str("binary")),
            HostParts(cloud, host), service.Time("updated_at"));
        record.State = ServiceState(service);
        record.Reason = service.Str("binary");
        record.Message = service.Str("disabled_reason") is { } why ? $"{service.Str("binary")} {service.Str("status")}: {why}" : $"{service.Str("binary")} {record.State}";
        record.Location = host;
        record.Stage = "compute";
    }

    private static void ParseHypervisor(PayloadNode hypervisor, string cloud, ParseContext context)
    {
        var host = hypervisor.Obj("service")?.Name("host") ?? hypervisor.RequiredName("hypervisor_hostname");
        var record = context.Add(hypervisor, SourceName, "nova-hypervisor", "hypervisor", HostKey(cloud, host), HostDisplay(host, "hypervisor"),
            HostParts(cloud, host), null);
        record.State = hypervisor.Str("state");
        record.Reason = hypervisor.Str("status");
        record.Message = hypervisor.Obj("service")?.Str("disabled_reason") ?? $"{hypervisor.Str("hypervisor_hostname")} {record.State}, {record.Reason}";
        record.Location = host;
        record.Stage = "compute";
    }

    private static void ParseMigration(PayloadNode migration, string cloud, ParseContext context)
    {
        var instance = migration.RequiredStr("instance_uuid");
        var record = context.Add(migration, SourceName, "nova-migration", "migration", ServerKey(cloud, instance), instance, ServerParts(cloud, instance),
            migration.Time("updated_at") ?? migration.Time("created_at"));
        record.State = migration.Str("status");
        record.Reason = migration.Str("migration_type") ?? "migration";
        record.Message = $"{record.Reason} {migration.Str("source_compute")} → {migration.Str("dest_compute")}: {record.State}";
        record.Location = migration.Str("source_compute");
        record.Stage = "compute";
    }

    private static void ParseErrorBody(PayloadNode node, string cloud, ParseContext context)
    {
        var property = node.Element.EnumerateObject().First();
        var body = node.RequiredObj(property.Name);
        var server = context.Query("server") ?? context.Query("instance");
        // A rejection about no server (a refused create, a quota breach) is filed per project, else per kind of
        // rejection, so a quota breach never shares an instance with an unrelated bad request.
        var project = server is null ? context.Query("project") : null;
        var (key, display, parts) = (server, project) switch
        {
            ({ } id, _) => (ServerKey(cloud, id), context.Query("name") ?? id, ServerParts(cloud, id)),
            (null, { } p) => (GroupKey(cloud, NovaProfile.ProjectSegment, p), $"API requests of project {p}", GroupParts(cloud, NovaProfile.Project, p)),
            _ => (GroupKey(cloud, NovaProfile.RejectionSegment, property.Name), $"API {property.Name} rejections", GroupParts(cloud, NovaProfile.Rejection, property.Name)),
        };
        var record = context.Add(node, SourceName, "nova-api-error", "api-error", key, display, parts,
            context.Query("timestamp") is { } t
                ? SourceTime.TryParse(t, out var at) ? at : throw new PayloadException(null, "timestamp", $"Query value 'timestamp' must be a timestamp {SourceTime.RangeText}, not \"{t}\".")
                : null,
            identity: context.Query("requestId") is { } rid ? $"{cloud}/{rid}" : null);
        record.Reason = property.Name;
        record.HttpCode = body.Int("code");
        record.Message = body.Str("message");
        record.RequestId = context.Query("requestId");
        record.Stage = "api";
        record.State = "rejected";
    }

    private static PayloadNode Unwrap(PayloadNode envelope)
    {
        var inner = envelope.RequiredStr("oslo.message");
        try
        {
            using var document = JsonDocument.Parse(inner);
            return new PayloadNode(document.RootElement.Clone(), envelope.Item, "oslo.message");
        }
        catch (JsonException ex)
        {
            throw new PayloadException(envelope.Item, "oslo.message", $"Field 'oslo.message' must hold a JSON notification: {ex.Message}");
        }
    }

    private static string ServerKey(string cloud, string id) => $"{NovaProfile.KeyPrefix}/{cloud}/{id}";

    private static IdentityPart[] ServerParts(string cloud, string id) => [new(NovaProfile.Cloud, cloud), new(NovaProfile.Server, id)];

    /// <summary>
    /// Instances beside the servers, one segment naming what they are: compute hosts (<c>nova/{cloud}/host/{host}</c>) and
    /// API rejections without a server (<c>nova/{cloud}/project/{project}</c>, <c>nova/{cloud}/rejected/{kind}</c>).
    /// </summary>
    private static string GroupKey(string cloud, string segment, string value) => $"{NovaProfile.KeyPrefix}/{cloud}/{segment}/{value}";

    private static IdentityPart[] GroupParts(string cloud, string label, string value) => [new(NovaProfile.Cloud, cloud), new(label, value)];

    private static string HostKey(string cloud, string host) => GroupKey(cloud, NovaProfile.HostSegment, host);

    private static string HostDisplay(string host, string? binary) => binary is null ? $"host {host}" : $"{binary} on {host}";

    private static IdentityPart[] HostParts(string cloud, string host) => GroupParts(cloud, NovaProfile.Host, host);

    private static string? StageOfEvent(string name) => name switch
    {
        _ when name.StartsWith("conductor_", StringComparison.Ordinal) && name.Contains("schedule", StringComparison.Ordinal) => "scheduler",
        _ when name.StartsWith("conductor_", StringComparison.Ordinal) => "conductor",
        _ when name.StartsWith("compute_", StringComparison.Ordinal) => "compute",
        _ when name.StartsWith("api_", StringComparison.Ordinal) => "api",
        _ => null,
    };

    /// <summary>The exception class on a traceback's last line, e.g. <c>nova.exception.NoValidHost_Remote: …</c> → NoValidHost.</summary>
    private static string? ExceptionName(string? traceback)
    {
        if (string.IsNullOrEmpty(traceback)) return null;
        var matches = TracebackException().Matches(traceback);
        if (matches.Count == 0) return null;
        var name = matches[^1].Groups["name"].Value;
        return name.EndsWith("_Remote", StringComparison.Ordinal) ? name[..^7] : name;
    }

    [GeneratedRegex(@"^(?:[\w]+\.)*(?<name>[A-Z]\w*(?:Error|Exception|Exceeded|Host|Failed|Timeout|Invalid|NotFound|_Remote)\w*):", RegexOptions.Multiline)]
    private static partial Regex TracebackException();
}
