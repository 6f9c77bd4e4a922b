namespace OpsConsole.Tests.Sources.Maas;

/// <summary>MAAS events and machines through the vm-events endpoint.</summary>
public sealed class MaasFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public MaasFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Maas_times_are_kept()
    {
        var api = _factory.CreateApiClient();
        var maas = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/vm-events?region=r3", Samples.Read("maas/events-query-commissioning-timeout.json")));
        var marking = Assert.Single(maas, r => r.GetProperty("reason").GetString() == "Marking node failed");
        Assert.Equal("maas/r3/k7xq3p", marking.GetProperty("instance").GetString());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:52:10Z"), marking.GetProperty("occurredAt").GetDateTimeOffset());
    }
}
