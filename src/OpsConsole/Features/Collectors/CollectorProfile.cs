using OpsConsole.Sources;

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
    /// <summary>Every source profile that has a collector, by source name.</summary>
    public static readonly IReadOnlyDictionary<string, CollectorProfile> All = SourceProfiles.All
        .Select(p => p.Collector).OfType<CollectorProfile>()
        .ToDictionary(c => c.Source, StringComparer.OrdinalIgnoreCase);
}
