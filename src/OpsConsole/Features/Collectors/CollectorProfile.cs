using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Sources.Docker;
using OpsConsole.Sources.Kubernetes;
using OpsConsole.Sources.Maas;
using OpsConsole.Sources.Nova;

namespace OpsConsole.Features.Collectors;

/// <summary>A source that reads from its system and hands items to the outbox until cancelled, reconnecting on its own.</summary>
public interface ISourceCollector
{
    Task RunAsync(CollectorOutbox outbox, CancellationToken cancellationToken);
}

/// <summary>
/// One source a collector can run for: the ingestion endpoint it feeds, the query naming where its records
/// come from (cluster, host, cloud, region) and how to build it from its configuration section.
/// </summary>
public sealed record CollectorProfile(
    string Source, string Endpoint, string Kind, string OriginQuery, Func<IConfiguration, ILoggerFactory, ISourceCollector> Create)
{
    public static readonly IReadOnlyDictionary<string, CollectorProfile> All = new Dictionary<string, CollectorProfile>(StringComparer.OrdinalIgnoreCase)
    {
        ["kubernetes"] = new("kubernetes", "container-exits", PayloadFormats.Container, "cluster", KubernetesCollector.Create),
        ["docker"] = new("docker", "container-exits", PayloadFormats.Container, "host", DockerCollector.Create),
        ["nova"] = new("nova", "vm-events", PayloadFormats.Vm, "cloud", NovaCollector.Create),
        ["maas"] = new("maas", "vm-events", PayloadFormats.Vm, "region", MaasCollector.Create),
    };
}
