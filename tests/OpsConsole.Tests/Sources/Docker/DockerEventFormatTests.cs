namespace OpsConsole.Tests.Sources.Docker;

/// <summary>Docker events through the container-exits endpoint.</summary>
public sealed class DockerEventFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public DockerEventFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Docker_times_come_from_timeNano_and_exit_codes_from_string_attributes()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?host=edge-7", Samples.Read("docker/events-oom-then-die.jsonl"), "application/x-ndjson");
        var die = Assert.Single(await api.ReadRecordsAsync(result), r => r.GetProperty("entry").GetString() == "die");
        Assert.Equal("docker/edge-7/shop-inventory-1", die.GetProperty("instance").GetString());
        Assert.Equal(137, die.GetProperty("exitCode").GetInt32());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1750671579530), die.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("oom-evidence", die.GetProperty("hints").GetString());
    }
}
