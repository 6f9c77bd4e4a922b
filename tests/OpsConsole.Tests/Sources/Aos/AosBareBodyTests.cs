using System.Net;

namespace OpsConsole.Tests.Sources.Aos;

/// <summary>The bare v7 message body the Aos cloud protocol serialises names no unit; ?unit= does.</summary>
public sealed class AosBareBodyTests : IClassFixture<OpsConsoleFactory>
{
    private const string Body = "{\"messageType\":\"unitStatus\",\"isDeltaInfo\":false,\"nodes\":[{\"identity\":{\"codename\":\"edge-node\"},\"state\":\"error\",\"isConnected\":false}]}";
    private readonly OpsConsoleFactory _factory;

    public AosBareBodyTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task A_bare_body_takes_its_unit_from_the_query()
    {
        var api = _factory.CreateApiClient();
        var record = Assert.Single(await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/unit-status?unit=bare-unit-7", Body)));

        Assert.Equal("aos/bare-unit-7/node/edge-node", record.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task A_bare_body_without_a_unit_is_a_400_naming_unit()
    {
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/unit-status", Body);
        var problem = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("unit", problem.GetProperty("field").GetString());
    }
}
