namespace OpsConsole.Tests.Features.Cluster;

/// <summary>On one node (SQLite) every once-per-cluster job is this node's, and the metrics say so.</summary>
public sealed class SingleNodeClusterTests : IClassFixture<OpsConsoleFactory>
{
    private static readonly string[] Jobs = ["crash-loop-watcher", "reclassifier", "silence-detector", "silence-sweeper"];

    private readonly OpsConsoleFactory _factory;

    public SingleNodeClusterTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task The_single_node_leads_every_job_and_says_so()
    {
        // Each job takes its lead in its own background start, so a busy machine may answer the first scrape before all have.
        var client = _factory.CreateClient();
        var metrics = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            metrics = await client.GetStringAsync("/metrics");
            if (Jobs.All(job => metrics.Contains($"opsconsole_cluster_leader{{job=\"{job}\"}} 1", StringComparison.Ordinal))) break;
        }
        foreach (var job in Jobs) Assert.Contains($"opsconsole_cluster_leader{{job=\"{job}\"}} 1", metrics);
    }
}
