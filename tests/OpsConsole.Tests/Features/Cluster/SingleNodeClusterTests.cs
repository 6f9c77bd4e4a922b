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
        var metrics = await _factory.CreateClient().GetStringAsync("/metrics");
        foreach (var job in Jobs) Assert.Contains($"opsconsole_cluster_leader{{job=\"{job}\"}} 1", metrics);
    }
}
