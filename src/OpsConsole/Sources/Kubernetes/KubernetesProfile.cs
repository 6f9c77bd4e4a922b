using System.Text.Json;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;
using OpsConsole.Sources.Containers;

namespace OpsConsole.Sources.Kubernetes;

/// <summary>Kubernetes pods, their containers and events (<c>kubectl get -o json</c>); the cluster is named at ingestion.</summary>
public sealed class KubernetesProfile : ISourceProfile
{
    public const string SourceName = "kubernetes";
    public const string KeyPrefix = "k8s";
    public const string Cluster = "cluster";
    public const string Namespace = "namespace";
    public const string Pod = "pod";
    public const string Container = "container";
    public const string Node = "node";

    public string Source => SourceName;

    public OpsConsole.Features.Collectors.CollectorProfile Collector { get; } =
        new(SourceName, "container-exits", OpsConsole.Features.Ingestion.Parsing.PayloadFormats.Container, Cluster, KubernetesCollector.Create);
    public string Kind => PayloadFormats.Container;
    string ISourceProfile.KeyPrefix => KeyPrefix;
    public IReadOnlyList<IPayloadFormat> Formats { get; } = [new KubernetesFormat()];
    public string RulesFile => "Sources/Kubernetes/rules.yaml";
    /// <summary>Set on exits of containers meant to finish (init containers, Job pods): exit 0 is then success.</summary>
    public const string RunsToCompletionHint = "runs-to-completion";

    public string VocabularyFile => "Sources/Kubernetes/vocabulary.yaml";
    public string FallbackRulesFile => "Sources/Kubernetes/fallback.rules.yaml";

    /// <summary>A Warning event: the component that sent it says something went wrong.</summary>
    public bool MarkedAsError(EventRecord record) =>
        record.Entry == "event" && string.Equals(record.State, "Warning", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey)
    {
        var p = instanceKey.Split('/');
        return p switch
        {
            [_, _, Node, ..] => SourceProfiles.NameSegments(instanceKey, 1, Cluster, "", Node),
            { Length: 4 } => SourceProfiles.NameSegments(instanceKey, 1, Cluster, Namespace, Pod),
            { Length: 5 } when IsObjectKind(p[3]) => [new(Cluster, p[1]), new(Namespace, p[2]), new(p[3], p[4])],
            _ => SourceProfiles.NameSegments(instanceKey, 1, Cluster, Namespace, Pod, Container),
        };
    }

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["cluster"] = "Kubernetes cluster (?cluster= at ingestion)",
        ["namespace"] = "Kubernetes namespace",
        ["pod"] = "Kubernetes pod",
        ["container"] = "container name",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item)
    {
        // Only pods name a pod: events about other objects carry the object's kind as the last part's label.
        foreach (var part in parts)
            if (part.Label is Cluster or Namespace or Pod or Container or Node) values.Set(part.Label, part.Value);
    }

    public Type InstanceView(IReadOnlyList<IdentityPart> parts) => typeof(ExitHistoryView);

    /// <summary>The <c>kubectl get</c> for the pod, node or object, in the instance's cluster as a kubeconfig context.</summary>
    public IReadOnlyList<SourceLink> LinksTo(IReadOnlyList<IdentityPart> parts, SourceLinkOptions options, JsonElement? item) => parts switch
    {
        [{ Label: Cluster } cluster, { Label: Namespace } ns, { Label: Pod } pod, ..] =>
            [SourceLink.Run("kubectl", "kubectl", "--context", cluster.Value, "-n", ns.Value, "get", Pod, pod.Value)],
        [{ Label: Cluster } cluster, { Label: Node } node] =>
            [SourceLink.Run("kubectl", "kubectl", "--context", cluster.Value, "get", Node, node.Value)],
        [{ Label: Cluster } cluster, { Label: Namespace } ns, var other] when IsObjectKind(other.Label) =>
            [SourceLink.Run("kubectl", "kubectl", "--context", cluster.Value, "-n", ns.Value, "get", other.Label, other.Value)],
        _ => [],
    };

    private static bool IsObjectKind(string segment) => segment is "deployment" or "replicaset" or "statefulset" or "daemonset" or "job"
        or "cronjob" or "service" or "persistentvolumeclaim" or "horizontalpodautoscaler" or "ingress" or "endpoints";
}
