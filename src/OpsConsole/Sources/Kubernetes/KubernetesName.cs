using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Kubernetes;

/// <summary>
/// How the console names a Kubernetes object: <c>k8s/{cluster}/{namespace}/{pod}[/{container}]</c>,
/// <c>k8s/{cluster}/node/{node}</c>, or <c>k8s/{cluster}/{namespace}/{kind}/{name}</c> for other objects' events.
/// </summary>
public sealed record KubernetesName(string Key, string Display, IdentityPart[] Parts)
{
    public static KubernetesName Pod(string cluster, string ns, string pod) =>
        new($"{KubernetesProfile.KeyPrefix}/{cluster}/{ns}/{pod}", $"{ns}/{pod}",
            [new(KubernetesProfile.Cluster, cluster), new(KubernetesProfile.Namespace, ns), new(KubernetesProfile.Pod, pod)]);

    public KubernetesName Container(string container) =>
        new($"{Key}/{container}", $"{Display}/{container}", [.. Parts, new(KubernetesProfile.Container, container)]);

    public static KubernetesName Node(string cluster, string node) =>
        new($"{KubernetesProfile.KeyPrefix}/{cluster}/node/{node}", $"node {node}",
            [new(KubernetesProfile.Cluster, cluster), new(KubernetesProfile.Node, node)]);

    /// <summary>Events about other objects (a Deployment, a PVC…) name the object by its kind, lower case.</summary>
    public static KubernetesName Object(string cluster, string ns, string kind, string name) =>
        new($"{KubernetesProfile.KeyPrefix}/{cluster}/{ns}/{kind}/{name}", $"{ns}/{kind}/{name}",
            [new(KubernetesProfile.Cluster, cluster), new(KubernetesProfile.Namespace, ns), new(kind, name)]);
}
