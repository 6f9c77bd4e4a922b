namespace OpsConsole.Tests.Sources.Maas;

/// <summary>Controller, rack and audit events (node: null) are kept against the region controller, not refused.</summary>
public sealed class MaasControllerEventTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public MaasControllerEventTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task An_event_without_a_node_belongs_to_the_region_controller()
    {
        const string page = "{\"count\":2,\"events\":[{\"node\":null,\"hostname\":null,\"id\":901,\"level\":\"ERROR\",\"created\":\"Mon, 23 Jun. 2025 08:52:10\",\"type\":\"Failed to import images\",\"description\":\"boot-resources import failed\"},"
                            + "{\"node\":\"abc123\",\"hostname\":\"web-1\",\"id\":902,\"level\":\"INFO\",\"created\":\"Mon, 23 Jun. 2025 08:52:11\",\"type\":\"Deploying\",\"description\":\"\"}]}";
        var api = _factory.CreateApiClient();

        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/vm-events?region=ctl", page));

        Assert.Equal(["maas/ctl/region-controller", "maas/ctl/abc123"], records.Select(r => r.GetProperty("instance").GetString()));
    }
}
