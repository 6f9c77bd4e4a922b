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

    public bool Matches(PayloadNode node) =>
        node.IsObject && node.Str("kind") is "Pod" or "PodList" or "Event" or "EventList" or "List";

    public void Parse(PayloadNode node, ParseContext context)
    {
        var cluster = context.Query("cluster") ?? "default";
        switch (node.Str("kind"))
        {
            case "Pod": ParsePod(node, cluster, context); break;
            case "Event": ParseEvent(node, cluster, context); break;
            case "PodList" or "EventList" or "List":
                var index = 0;
                foreach (var item in node.Array("items"))
                {
                    var reindexed = new PayloadNode(item.Element, index++, item.Path);
                    switch (reindexed.Str("kind"))
                    {
                        case "Pod" or null when node.Str("kind") is "PodList" or "List": ParsePod(reindexed, cluster, context); break;
                        case "Event" or null when node.Str("kind") is "EventList" or "List": ParseEvent(reindexed, cluster, context); break;
                        // A mixed List may hold Deployments or Services; they state no container failure.
                        case not null when node.Str("kind") == "List": break;
                        case var other:
                            throw new PayloadException(reindexed.Item, $"{reindexed.Path}.kind",
                                $"Field '{reindexed.Path}.kind' is \"{other}\"; a {node.Str("kind")} holds only {(node.Str("kind") == "PodList" ? "Pod" : "Event")} items.");
                    }
                }
                break;
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
        var involved = ev.RequiredObj("involvedObject");
        var kind = involved.Str("kind") ?? "Pod";
        var objectName = involved.RequiredName("name");
        var ns = involved.Name("namespace") ?? ev.Obj("metadata")?.Name("namespace") ?? "default";
        var container = involved.Text("fieldPath") is { } fieldPath && ContainerInFieldPath().Match(fieldPath) is { Success: true } m
            ? m.Groups[1].Value : null;

        var name = kind switch
        {
            "Pod" => container is null ? KubernetesName.Pod(cluster, ns, objectName) : KubernetesName.Pod(cluster, ns, objectName).Container(container),
            "Node" => KubernetesName.Node(cluster, objectName),
            _ => KubernetesName.Object(cluster, ns, kind.ToLowerInvariant(), objectName),
        };

        var metadata = ev.Obj("metadata");
        var series = ev.Obj("series");
        var first = ev.Time("firstTimestamp") ?? ev.Time("eventTime") ?? metadata?.Time("creationTimestamp");
        // events.k8s.io (scheduler) events leave count/lastTimestamp empty and count repeats in series.
        var lastSeen = series?.Time("lastObservedTime") ?? ev.Time("lastTimestamp") ?? ev.Time("eventTime") ?? first;
        var identity = metadata?.Str("uid") ?? $"{ns}/{metadata?.Str("name") ?? objectName}/{ev.Str("reason")}/{first?.ToUnixTimeMilliseconds()}";

        var record = context.Add(ev, SourceName, "k8s-event", "event", name.Key, name.Display, name.Parts, first, identity: $"{cluster}/{identity}");
        record.State = ev.Str("type");
        record.Reason = ev.Str("reason");
        record.Message = ev.Str("message");
        record.OccurrenceCount = series?.Int("count") ?? ev.Int("count") ?? 1;
        record.LastSeenAt = lastSeen ?? record.OccurredAt;
        record.Location = ev.Obj("source")?.Str("host") ?? ev.Str("reportingInstance");
        record.Stage = ev.Obj("source")?.Str("component") ?? ev.Str("reportingComponent");
    }

    private static DateTimeOffset? LatestTransition(PayloadNode status)
    {
        DateTimeOffset? latest = null;
        foreach (var condition in status.Array("conditions"))
        {
            if (condition.Time("lastTransitionTime") is { } t && (latest is null || t > latest)) latest = t;
        }
        return latest;
    }

    [GeneratedRegex(@"spec\.(?:initContainers|containers|ephemeralContainers)\{([^}]+)\}")]
    private static partial Regex ContainerInFieldPath();
}
