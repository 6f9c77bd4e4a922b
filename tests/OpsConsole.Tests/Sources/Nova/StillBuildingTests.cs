using System.Text.Json.Nodes;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>A Nova server stuck in BUILD, through the silence detector.</summary>
public sealed class StillBuildingTests : ClockedConsole
{
    [Fact]
    public async Task A_nova_server_still_building_is_stalled_after_the_threshold()
    {
        var api = Factory.CreateApiClient();
        var server = JsonNode.Parse(Samples.Read("nova/server-fault-no-valid-host.json"))!;
        server["server"]!["status"] = "BUILD";
        server["server"]!.AsObject().Remove("fault");
        var posted = await api.PostOkAsync("/api/v1/vm-events", server.ToJsonString());
        Assert.Equal("none", posted.GetProperty("records")[0].GetProperty("category").GetString());

        Clock.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal("vm.stalled", Assert.Single(await Detector.RunOnceAsync(CancellationToken.None)).Category);
    }
}
