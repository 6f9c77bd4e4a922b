using System.Text.Json;
using System.Text.RegularExpressions;
using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Sources.Kubernetes;

/// <summary>
/// <c>kubectl get … -o json</c> output: a Pod, PodList, Event, EventList or mixed List. One record per
/// container state worth noting (current waiting/terminated/running, last termination), per pod-level
/// failure (Evicted, Unschedulable) and per Event. The cluster comes from <c>?cluster=</c>.
/// </summary>
public sealed partial class KubernetesFormat : IPayloadFormat
{
    public const string SourceName = KubernetesProfile.SourceName;

    public string Name => KubernetesProfile.SourceName;

    public bool Matches(PayloadNode node) => node.IsObject && Shape(node.Element) is not null;

    /// <summary>
    /// What an object is, by its <c>kind</c> or, when typed clients and archivers leave <c>kind</c> out, by its
    /// shape: a Pod has <c>spec.containers</c> or <c>status.containerStatuses</c>; an Event has
    /// <c>involvedObject</c> (core/v1) or <c>regarding</c> (events.k8s.io/v1) and a <c>reason</c>; a watch
    /// event is <c>{type, object}</c>. kubernetes-event-exporter's webhook posts Events with <c>clusterName</c>;
    /// a sink <c>layout</c> flattens one to <c>{kind, name, namespace, reason, message, type}</c>.
    /// </summary>
    private static string? Shape(JsonElement node)
    {
        var kind = StringProperty(node, "kind"u8);
        return kind switch
        {
            not null when !node.TryGetProperty("metadata"u8, out _) && HasString(node, "name"u8) && HasString(node, "reason"u8) => "FlatEvent",
            "Pod" or "PodList" or "Event" or "EventList" or "List" or "Job" or "JobList" => kind,
            _ when node.TryGetProperty("object"u8, out var inner) && inner.ValueKind == JsonValueKind.Object && HasString(node, "type"u8) => "Watch",
            null when LooksLikePod(node) => "Pod",
            null when LooksLikeEvent(node) => "Event",
            null when node.TryGetProperty("items"u8, out var items) && items.ValueKind == JsonValueKind.Array && items.GetArrayLength() > 0
                      && items[0].ValueKind == JsonValueKind.Object && (LooksLikePod(items[0]) || LooksLikeEvent(items[0])) => "List",
            _ => null,
        };
    }

    private static bool LooksLikePod(JsonElement node) =>
        node.ValueKind == JsonValueKind.Object
        && (node.TryGetProperty("spec"u8, out var spec) && spec.ValueKind == JsonValueKind.Object
               && spec.TryGetProperty("containers"u8, out var containers) && containers.ValueKind == JsonValueKind.Array
            || node.TryGetProperty("status"u8, out var status) && status.ValueKind == JsonValueKind.Object
               && status.TryGetProperty("containerStatuses"u8, out var statuses) && statuses.ValueKind == JsonValueKind.Array);

    private static bool LooksLikeEvent(JsonElement node) =>
        node.ValueKind == JsonValueKind.Object
        && HasString(node, "reason"u8)
        && (node.TryGetProperty("involvedObject"u8, out var involved) && involved.ValueKind == JsonValueKind.Object
            || node.TryGetProperty("regarding"u8, out var regarding) && regarding.ValueKind == JsonValueKind.Object);

    // The shape tests run on every item posted to the container endpoint: names are looked up by their UTF-8
    // bytes, and a field's presence is tested without reading it into a string.
    private static string? StringProperty(JsonElement node, ReadOnlySpan<byte> name) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    private static bool HasString(JsonElement node, ReadOnlySpan<byte> name) =>
        node.ValueKind == JsonValueKind.Object && node.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String;

    public void Parse(PayloadNode node, ParseContext context)
    {
        var cluster = context.Query("cluster") ?? "default";
        var shape = node.IsObject ? Shape(node.Element) : null;
        switch (shape)
        {
            case "Pod": ParsePod(node, cluster, context); break;
            case "Event": ParseEvent(node, cluster, context); break;
            case "FlatEvent": ParseFlatEvent(node, cluster, context); break;
            case "Job": ParseJob(node, cluster, context); break;
            case "Watch":
                // BOOKMARK and ERROR watch events carry no pod or event; they state nothing about a container.
                var inner = node.RequiredObj("object");
                switch (Shape(inner.Element))
                {
                    case "Pod": ParsePod(inner, cluster, context); break;
                    case "Event": ParseEvent(inner, cluster, context); break;
                }
                break;
            case "PodList" or "EventList" or "JobList" or "List":
                var listKind = node.Str("kind") ?? "List";
                var index = 0;
                foreach (var item in node.Array("items"))
                {
                    var reindexed = new PayloadNode(item.Element, index++, item.Path);
                    var itemKind = reindexed.Str("kind") ?? (LooksLikeEvent(item.Element) ? "Event" : LooksLikePod(item.Element) ? "Pod" : null);
                    switch (itemKind)
                    {
                        case "Pod" or null when listKind is "PodList" or "List": ParsePod(reindexed, cluster, context); break;
                        case "Event" or null when listKind is "EventList" or "List": ParseEvent(reindexed, cluster, context); break;
                        case "Job" when listKind == "List": ParseJob(reindexed, cluster, context); break;
                        case "Job" or null when listKind == "JobList": ParseJob(reindexed, cluster, context); break;
                        // A mixed List may hold Deployments or Services; they state no container failure.
                        case not null when listKind == "List": break;
                        case var other:
                            throw new PayloadException(reindexed.Item, $"{reindexed.Path}.kind",
                                $"Field '{reindexed.Path}.kind' is \"{other}\"; a {listKind} holds only {listKind[..^4]} items.");
                    }
                }
                break;
            default:
                // A forced ?format=kubernetes must not answer "accepted 0" for something it does not read.
                throw new PayloadException(node.Item, "kind",
                    "The item is not a Kubernetes Pod, Event, list of them or watch event (no kind, no spec.containers/status.containerStatuses, no involvedObject/regarding with a reason).");
        }
    }

    /// <summary>An event-exporter sink <c>layout</c> body: the Event's fields flattened to the top level.</summary>
    private static void ParseFlatEvent(PayloadNode ev, string cluster, ParseContext context)
    {
        cluster = ev.Str("clusterName") is { Length: > 0 } named ? named : cluster;
        var ns = ev.Name("namespace") ?? "default";
        var name = ObjectName(ev.RequiredStr("kind"), cluster, ns, ev.RequiredName("name"), container: null);
        var record = context.Add(ev, SourceName, "k8s-event", "event", name.Key, name.Display, name.Parts, ev.Time("createdAt"));
        record.State = ev.Str("type");
        record.Reason = ev.Str("reason");
        record.Message = ev.Str("message");
        record.ExitCode = PodFailurePolicyExitCode(record.Reason, record.Message);
        record.OccurrenceCount = ev.Int("count") ?? 1;
    }

    /// <summary>
    /// A Job (<c>kubectl get job -o json</c>) says how it ended in a condition: Failed with the job controller's reason
    /// (BackoffLimitExceeded, DeadlineExceeded, PodFailurePolicy…) or Complete. It is filed where the Job's events are.
    /// A Complete condition without a reason (before 1.31) takes the one the controller gives it since, CompletionsReached.
    /// </summary>
    private static void ParseJob(PayloadNode job, string cluster, ParseContext context)
    {
        var metadata = job.RequiredObj("metadata");
        var name = ObjectName("Job", cluster, metadata.Name("namespace") ?? "default", metadata.RequiredName("name"), container: null);
        foreach (var condition in job.Obj("status")?.Array("conditions") ?? [])
        {
            var type = condition.Str("type");
            if (condition.Str("status") != "True" || type is not ("Failed" or "Complete")) continue;
            var record = context.Add(condition, SourceName, "k8s-job", "job-condition", name.Key, name.Display, name.Parts,
                condition.Time("lastTransitionTime"));
            record.State = type;
            record.Reason = condition.Str("reason") ?? (type == "Complete" ? "CompletionsReached" : null);
            record.Message = condition.Str("message");
            record.ExitCode = PodFailurePolicyExitCode(record.Reason, record.Message);
        }
    }

    private static void ParsePod(PayloadNode pod, string cluster, ParseContext context)
    {
        var metadata = pod.RequiredObj("metadata");
        var name = metadata.RequiredName("name");
        var ns = metadata.Name("namespace") ?? "default";
        var nodeName = pod.Obj("spec")?.Str("nodeName");
        // Every pod the API returns has a status with a phase; without one this is not a pod status at all.
        var st = pod.RequiredObj("status");
        var named = KubernetesName.Pod(cluster, ns, name);

        var phase = st.RequiredStr("phase");
        if (st.Str("reason") is { } podReason)
        {
            var record = context.Add(st, SourceName, "k8s-pod", "pod-status", named.Key, named.Display, named.Parts,
                LatestTransition(st) ?? st.Time("startTime"));
            record.State = phase;
            record.Reason = podReason;
            record.Message = st.Str("message");
            record.Location = nodeName;
        }

        foreach (var condition in st.Array("conditions"))
        {
            if (condition.Str("type") != "PodScheduled" || condition.Str("status") != "False") continue;
            var record = context.Add(condition, SourceName, "k8s-pod", "pod-condition", named.Key, named.Display, named.Parts, condition.Time("lastTransitionTime"));
            record.State = phase;
            record.Reason = condition.Str("reason") ?? "Unschedulable";
            record.Message = condition.Str("message");
        }

        // Init containers, and every container of a pod that is not restarted after a clean exit (Job pods), are meant to finish.
        var podFinishes = pod.Obj("spec")?.Str("restartPolicy") is "Never" or "OnFailure"
                          || metadata.Array("ownerReferences").Any(o => o.Str("kind") == "Job");
        foreach (var section in new[] { "initContainerStatuses", "containerStatuses", "ephemeralContainerStatuses" })
        {
            foreach (var container in st.Array(section))
                ParseContainerStatus(container, named.Container(container.RequiredName("name")), nodeName,
                    podFinishes || section == "initContainerStatuses", context);
        }
    }

    private static void ParseContainerStatus(PayloadNode container, KubernetesName name, string? nodeName, bool finishes, ParseContext context)
    {
        var restarts = container.Int("restartCount");
        var lastTerminated = container.Obj("lastState")?.Obj("terminated");

        // Emit the last termination first: the current state is the newer fact about the container.
        if (lastTerminated is { } last)
            AddTerminated(last, "last-terminated", name, nodeName, restarts, finishes, context);

        var state = container.Obj("state");
        if (state?.Obj("waiting") is { } waiting)
        {
            var record = context.Add(waiting, SourceName, "k8s-pod", "waiting", name.Key, name.Display, name.Parts,
                lastTerminated?.Time("finishedAt"));
            record.State = "waiting";
            record.Reason = waiting.Str("reason");
            record.Message = waiting.Str("message");
            record.RestartCount = restarts;
            record.Location = nodeName;
            // A waiting state carries no time of its own; when the last termination is not reported either,
            // the restart count is what tells one back-off from the next.
            record.DedupeKey = $"{record.DedupeKey}:{restarts}";
            if (record.LegacyDedupeKey is not null) record.LegacyDedupeKey = $"{record.LegacyDedupeKey}:{restarts}";
        }
        else if (state?.Obj("terminated") is { } terminated)
        {
            AddTerminated(terminated, "terminated", name, nodeName, restarts, finishes, context);
        }
        else if (state?.Obj("running") is { } running)
        {
            var record = context.Add(running, SourceName, "k8s-pod", "running", name.Key, name.Display, name.Parts, running.Time("startedAt"));
            record.State = "running";
            record.RestartCount = restarts;
            record.Location = nodeName;
        }
    }

    private static void AddTerminated(PayloadNode terminated, string entry, KubernetesName name, string? nodeName, int? restarts, bool finishes, ParseContext context)
    {
        var record = context.Add(terminated, SourceName, "k8s-pod", entry, name.Key, name.Display, name.Parts,
            terminated.Time("finishedAt") ?? terminated.Time("startedAt"));
        record.State = "terminated";
        record.ExitCode = terminated.Int("exitCode");
        record.Signal = terminated.Str("signal");
        record.Reason = terminated.Str("reason");
        record.Message = terminated.Str("message");
        record.RestartCount = restarts;
        record.Location = nodeName;
        if (finishes) IRecordCorrelation.AddHint(record, KubernetesProfile.RunsToCompletionHint);
    }

    private static void ParseEvent(PayloadNode ev, string cluster, ParseContext context)
    {
        // kubernetes-event-exporter names the cluster it watches; an empty clusterName means it was not configured.
        cluster = ev.Str("clusterName") is { Length: > 0 } clusterName ? clusterName : cluster;
        // events.k8s.io/v1 renames involvedObject → regarding, message → note, source → reportingController/deprecatedSource.
        var involved = ev.Obj("involvedObject") ?? ev.Obj("regarding") ?? throw ev.Missing("involvedObject");
        var kind = involved.Str("kind") ?? "Pod";
        var objectName = involved.RequiredName("name");
        var ns = involved.Name("namespace") ?? ev.Obj("metadata")?.Name("namespace") ?? "default";
        var container = involved.Text("fieldPath") is { } fieldPath && ContainerInFieldPath().Match(fieldPath) is { Success: true } m
            ? m.Groups[1].Value : null;

        var name = ObjectName(kind, cluster, ns, objectName, container);

        var metadata = ev.Obj("metadata");
        var series = ev.Obj("series");
        var deprecatedSource = ev.Obj("deprecatedSource");
        var first = ev.Time("firstTimestamp") ?? ev.Time("deprecatedFirstTimestamp") ?? ev.Time("eventTime") ?? metadata?.Time("creationTimestamp");
        // events.k8s.io (scheduler) events leave count/lastTimestamp empty and count repeats in series.
        var lastSeen = series?.Time("lastObservedTime") ?? ev.Time("lastTimestamp") ?? ev.Time("deprecatedLastTimestamp") ?? ev.Time("eventTime") ?? first;
        var identity = metadata?.Str("uid") ?? $"{ns}/{metadata?.Str("name") ?? objectName}/{ev.Str("reason")}/{first?.ToUnixTimeMilliseconds()}";

        var record = context.Add(ev, SourceName, "k8s-event", "event", name.Key, name.Display, name.Parts, first, identity: $"{cluster}/{identity}");
        record.State = ev.Str("type");
        record.Reason = ev.Str("reason");
        record.Message = ev.Str("message") ?? ev.Str("note");
        record.ExitCode = PodFailurePolicyExitCode(record.Reason, record.Message);
        record.OccurrenceCount = series?.Int("count") ?? ev.Int("count") ?? ev.Int("deprecatedCount") ?? 1;
        record.LastSeenAt = lastSeen ?? record.OccurredAt;
        record.Location = ev.Obj("source")?.Str("host") ?? deprecatedSource?.Str("host") ?? ev.Str("reportingInstance");
        record.Stage = ev.Obj("source")?.Str("component") ?? deprecatedSource?.Str("component") ?? ev.Str("reportingComponent") ?? ev.Str("reportingController");
    }

    private static KubernetesName ObjectName(string kind, string cluster, string ns, string objectName, string? container) => kind switch
    {
        "Pod" => container is null ? KubernetesName.Pod(cluster, ns, objectName) : KubernetesName.Pod(cluster, ns, objectName).Container(container),
        "Node" => KubernetesName.Node(cluster, objectName),
        _ => KubernetesName.Object(cluster, ns, kind.ToLowerInvariant(), objectName),
    };

    private static DateTimeOffset? LatestTransition(PayloadNode status)
    {
        DateTimeOffset? latest = null;
        foreach (var condition in status.Array("conditions"))
        {
            if (condition.Time("lastTransitionTime") is { } t && (latest is null || t > latest)) latest = t;
        }
        return latest;
    }

    /// <summary>
    /// A Job failed by a FailJob rule on exit codes: the job controller's fixed message names the container's exit code
    /// ("Container c for pod ns/p failed with exit code 42 matching FailJob rule at index 0"), so the event states an exit.
    /// A rule on pod conditions names no code.
    /// </summary>
    private static int? PodFailurePolicyExitCode(string? reason, string? message) =>
        reason == "PodFailurePolicy" && message is not null && PodFailurePolicyExit().Match(message) is { Success: true } m
        && int.TryParse(m.Groups[1].ValueSpan, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var code)
            ? code : null;

    [GeneratedRegex(@" failed with exit code (-?\d+) matching \w+ rule at index \d+")]
    private static partial Regex PodFailurePolicyExit();

    [GeneratedRegex(@"spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]+)\}")]
    private static partial Regex ContainerInFieldPath();
}
