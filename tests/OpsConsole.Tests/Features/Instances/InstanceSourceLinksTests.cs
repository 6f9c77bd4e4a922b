namespace OpsConsole.Tests.Features.Instances;

/// <summary>The instance page links back to the source system, from the configured base URLs (prerendered HTML).</summary>
public sealed class InstanceSourceLinksTests
{
    [Fact]
    public async Task A_nova_server_links_to_horizon_and_a_pod_shows_its_kubectl_command()
    {
        using var factory = new OpsConsoleFactory(new Dictionary<string, string?> { ["SourceLinks:Horizon"] = "https://horizon.example.org/dashboard" });
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/vm-events?cloud=east", Samples.Read("nova/server-fault-no-valid-host.json"));
        await api.PostOkAsync("/api/v1/container-exits?cluster=links", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));

        var nova = Runbooks.HtmlSafety.Parse(await (await factory.SignedInClientAsync("Viewer")).GetStringAsync("/instances/nova/east/9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69"));
        var horizon = nova.QuerySelector(".source-links a.source-link")!;
        Assert.Equal("https://horizon.example.org/dashboard/project/instances/9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69/", horizon.GetAttribute("href"));
        Assert.Equal("noopener noreferrer", horizon.GetAttribute("rel"));
        Assert.Equal("openstack --os-cloud east server show 9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69", nova.QuerySelector(".source-command code")!.TextContent);

        var pod = Runbooks.HtmlSafety.Parse(await (await factory.SignedInClientAsync("Viewer")).GetStringAsync("/instances/k8s/links/prod/inventory-799bc6c8f9-kvbzh/inventory"));
        var command = pod.QuerySelector(".source-command code")!.TextContent;
        Assert.Equal("kubectl --context links -n prod get pod inventory-799bc6c8f9-kvbzh", command);
        Assert.Equal(command, pod.QuerySelector(".source-command .copy-text")!.GetAttribute("data-copy"));
        Assert.Null(pod.QuerySelector(".source-links a"));
    }
}
