namespace OpsConsole.Tests.Sources.Kubernetes;

/// <summary>kubectl output through the container-exits endpoint.</summary>
public sealed class KubernetesFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public KubernetesFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Kubernetes_pod_fields_and_times_come_from_the_source()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?cluster=aks-prod", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));
        var records = await api.ReadRecordsAsync(result);

        var last = Assert.Single(records, r => r.GetProperty("entry").GetString() == "last-terminated");
        Assert.Equal("k8s/aks-prod/prod/inventory-799bc6c8f9-kvbzh/inventory", last.GetProperty("instance").GetString());
        Assert.Equal(137, last.GetProperty("exitCode").GetInt32());
        Assert.Equal("OOMKilled", last.GetProperty("reason").GetString());
        Assert.Equal(7, last.GetProperty("restartCount").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:19:39Z"), last.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("aks-nodepool1-31718369-vmss000002", last.GetProperty("location").GetString());

        var waiting = Assert.Single(records, r => r.GetProperty("entry").GetString() == "waiting");
        Assert.Equal("CrashLoopBackOff", waiting.GetProperty("reason").GetString());
    }
}
