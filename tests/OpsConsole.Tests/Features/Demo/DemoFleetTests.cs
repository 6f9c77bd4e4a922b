using OpsConsole.Features.Demo;

namespace OpsConsole.Tests.Features.Demo;

/// <summary>The demo fleet's payloads go through the real API, and some of its instances recover.</summary>
public sealed class DemoFleetTests : IClassFixture<OpsConsoleFactory>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly OpsConsoleFactory _factory;

    public DemoFleetTests(OpsConsoleFactory factory) => _factory = factory;

    private static string Template(string endpoint, string name) =>
        DemoFleetFeeder.AllTemplates.Single(t => t.Endpoint == endpoint && t.Template.Contains(name, StringComparison.Ordinal)).Template;

    private async Task<List<string>> FailingAsync(string search)
    {
        var page = await (await _factory.CreateApiClient().GetAsync($"/api/v1/instances/failing?search={search}&limit=500")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("instance").GetString()!).ToList();
    }

    [Fact]
    public async Task Every_template_is_accepted()
    {
        var api = _factory.CreateApiClient();
        var sequence = 0;
        foreach (var (endpoint, template) in DemoFleetFeeder.AllTemplates)
            await api.PostOkAsync($"/api/v1/{endpoint}?host=demo-all&cluster=demo-all&cloud=demo-all&region=demo-all",
                DemoFleetFeeder.Fill(template, ++sequence, Now));
    }

    [Theory]
    [InlineData("container-exits", "\"Action\":\"oom\"", "\"Action\":\"start\"", "shop-inventory")]
    [InlineData("vm-events", "\"status\":\"ERROR\"", "\"status\":\"ACTIVE\"", "db-replica")]
    public async Task A_failed_instance_recovers_when_it_runs_again(string endpoint, string failure, string recovery, string search)
    {
        var origin = endpoint == "vm-events" ? "?cloud=demo-recovery" : "?host=demo-recovery";
        var api = _factory.CreateApiClient();
        // The same seed picks the same pool member ({{digit}}, {{slot}}) for the failure and the recovery.
        await api.PostOkAsync($"/api/v1/{endpoint}{origin}", DemoFleetFeeder.Fill(Template(endpoint, failure), 1, Now.AddMinutes(-2), new Random(18)));
        var failing = (await FailingAsync(search)).Where(i => i.Contains("demo-recovery", StringComparison.Ordinal)).ToList();
        Assert.Single(failing);

        await api.PostOkAsync($"/api/v1/{endpoint}{origin}", DemoFleetFeeder.Fill(Template(endpoint, recovery), 2, Now, new Random(18)));

        Assert.DoesNotContain(failing[0], await FailingAsync(search));
    }
}
