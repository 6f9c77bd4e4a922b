using System.Text.Json;

namespace OpsConsole.Tests.Sources.Maas;

/// <summary>MAAS commissioning that went quiet (seed B), through the silence detector.</summary>
public sealed class CommissioningSilenceTests : ClockedConsole
{
    [Fact]
    public async Task A_maas_node_silent_after_pxe_and_the_ephemeral_image_cannot_reach_the_controller()
    {
        var api = Factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/vm-events", MaasEvents("n1", ("Commissioning", 0), ("Performing PXE boot", 1), ("TFTP Request", 2), ("Loading ephemeral", 3)));

        Clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Empty(await Detector.RunOnceAsync(CancellationToken.None));
        Clock.Advance(TimeSpan.FromMinutes(2));
        var silent = Assert.Single(await Detector.RunOnceAsync(CancellationToken.None));
        Assert.Equal("node.commission.controller-unreachable", silent.Category);
        Assert.Equal("maas/default/n1", silent.InstanceKey);
        Assert.Equal(4, silent.DerivedFrom!.Split(',').Length); // the three boot steps and the last record
    }

    [Fact]
    public async Task A_maas_node_that_reported_back_and_then_went_quiet_is_a_commissioning_timeout()
    {
        var api = Factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/vm-events", MaasEvents("n2", ("Commissioning", 0), ("Performing PXE boot", 1), ("Loading ephemeral", 2), ("Gathering information", 3)));
        Clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal("node.commission.timeout", Assert.Single(await Detector.RunOnceAsync(CancellationToken.None)).Category);
    }

    private string MaasEvents(string node, params (string Type, int Minute)[] events) => JsonSerializer.Serialize(new
    {
        count = events.Length,
        events = events.Select((e, i) => new
        {
            node, hostname = $"host-{node}", id = 1000 + i, level = "INFO", type = e.Type, description = "",
            created = Clock.Now.AddMinutes(e.Minute).ToString("ddd, d MMM. yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        }),
    });
}
