using System.Text.Json;
using OpsConsole.Features.Records;
using OpsConsole.Sources;
using OpsConsole.Sources.Aos;
using OpsConsole.Sources.ContainerApps;
using OpsConsole.Sources.Docker;
using OpsConsole.Sources.Kubernetes;
using OpsConsole.Sources.Maas;
using OpsConsole.Sources.Nova;

namespace OpsConsole.Tests.Sources;

/// <summary>Each source's links back to itself, built from an instance's parts and the configured base URLs.</summary>
public sealed class SourceLinksTests
{
    private static readonly SourceLinkOptions Configured = new()
    {
        Horizon = "https://horizon.example.org/dashboard/",
        Maas = "http://maas.example.org:5240/MAAS",
        AzurePortal = "https://portal.azure.com",
    };

    private static IReadOnlyList<SourceLink> Links(ISourceProfile profile, SourceLinkOptions options, string? item, params (string Label, string Value)[] parts)
    {
        using var document = item is null ? null : JsonDocument.Parse(item);
        return profile.LinksTo([.. parts.Select(p => new IdentityPart(p.Label, p.Value))], options, document?.RootElement);
    }

    [Fact]
    public void A_kubernetes_pod_gets_kubectl_in_its_cluster_context_every_part_one_shell_word()
    {
        var pod = Assert.Single(Links(new KubernetesProfile(), Configured, null, ("cluster", "prod eu"), ("namespace", "shop"), ("pod", "api-7d9"), ("container", "api")));
        Assert.Null(pod.Url);
        Assert.Equal("kubectl --context 'prod eu' -n shop get pod api-7d9", pod.Command);

        var node = Assert.Single(Links(new KubernetesProfile(), Configured, null, ("cluster", "prod"), ("node", "worker-3")));
        Assert.Equal("kubectl --context prod get node worker-3", node.Command);

        var deployment = Assert.Single(Links(new KubernetesProfile(), Configured, null, ("cluster", "prod"), ("namespace", "shop"), ("deployment", "api")));
        Assert.Equal("kubectl --context prod -n shop get deployment api", deployment.Command);

        var hostile = Assert.Single(Links(new KubernetesProfile(), Configured, null, ("cluster", "x'; rm -rf /"), ("namespace", "shop"), ("pod", "p")));
        Assert.Equal("kubectl --context 'x'\\''; rm -rf /' -n shop get pod p", hostile.Command);
    }

    [Fact]
    public void A_nova_server_gets_its_horizon_page_url_encoded_and_the_cli_for_its_cloud()
    {
        var links = Links(new NovaProfile(), Configured, null, ("cloud", "east"), ("server", "9e2c 1/x"));

        Assert.Equal("https://horizon.example.org/dashboard/project/instances/9e2c%201%2Fx/", links[0].Url);
        Assert.Equal("openstack --os-cloud east server show '9e2c 1/x'", links[1].Command);
        Assert.Equal(["openstack --os-cloud east server show 9e2c"],
            Links(new NovaProfile(), new SourceLinkOptions(), null, ("cloud", "east"), ("server", "9e2c")).Select(l => l.Command));
        Assert.Empty(Links(new NovaProfile(), Configured, null, ("cloud", "east"), ("host", "compute-1")));
    }

    [Fact]
    public void A_maas_machine_gets_its_ui_page_only_when_the_ui_is_configured_with_a_web_scheme()
    {
        var link = Assert.Single(Links(new MaasProfile(), Configured, null, ("region", "dc1"), ("machine", "abc/1")));
        Assert.Equal("http://maas.example.org:5240/MAAS/r/machine/abc%2F1/summary", link.Url);

        Assert.Empty(Links(new MaasProfile(), new SourceLinkOptions(), null, ("region", "dc1"), ("machine", "abc")));
        Assert.Empty(Links(new MaasProfile(), new SourceLinkOptions { Maas = "javascript:alert(1)" }, null, ("region", "dc1"), ("machine", "abc")));
    }

    [Fact]
    public void A_container_app_gets_its_portal_resource_from_the_rows_resource_id_else_the_portal_list()
    {
        const string row = """{"_ResourceId": "/subscriptions/0000-11/resourceGroups/rg shop/providers/Microsoft.App/managedEnvironments/cae-shop"}""";

        var resource = Assert.Single(Links(new ContainerAppsProfile(), Configured, row, ("app", "ca-orders-api"), ("revision", "ca-orders-api--v1")));
        Assert.Equal("https://portal.azure.com/#@/resource/subscriptions/0000-11/resourceGroups/rg%20shop/providers/Microsoft.App/containerApps/ca-orders-api/overview", resource.Url);

        var list = Assert.Single(Links(new ContainerAppsProfile(), Configured, "{}", ("app", "ca-orders-api"), ("revision", "r")));
        Assert.Equal("https://portal.azure.com/#browse/Microsoft.App%2FcontainerApps", list.Url);
        Assert.Equal("https://portal.azure.cn/#browse/Microsoft.App%2FcontainerApps",
            Assert.Single(Links(new ContainerAppsProfile(), new SourceLinkOptions { AzurePortal = "https://portal.azure.cn/" }, null, ("app", "a"))).Url);
    }

    [Fact]
    public void Sources_without_a_console_to_link_to_offer_none()
    {
        Assert.Empty(Links(new DockerProfile(), Configured, null, ("host", "edge-7"), ("container", "api")));
        Assert.Empty(Links(new AosProfile(), Configured, null, ("unit", "u1"), ("part", "node"), ("id", "main")));
    }
}
