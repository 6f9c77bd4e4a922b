namespace OpsConsole.Tests.Sources.Aos;

/// <summary>Aos cloud messages (v7 and legacy v6) through the unit-status endpoint.</summary>
public sealed class AosCloudMessageFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public AosCloudMessageFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Aos_instance_identity_error_and_header_time_are_kept()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/unit-status", Samples.Read("aos/unitstatus-v7-delta-instance-activating-then-failed.json"));
        var failed = Assert.Single(await api.ReadRecordsAsync(result), r => r.GetProperty("state").GetString() == "failed");

        Assert.Equal("aos/e3b8a2c4-5d1f-4c7e-9a60-2f8d71b0c9aa/5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d/d1c2b3a4-9e8f-4d7c-b6a5-0f1e2d3c4b5a/1",
            failed.GetProperty("instance").GetString());
        Assert.Equal("eTimeout", failed.GetProperty("errorCode").GetString());
        Assert.Equal("secondary", failed.GetProperty("location").GetString());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T09:43:05Z"), failed.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("aos-unitstatus-v7", failed.GetProperty("format").GetString());
    }

    [Fact]
    public async Task Legacy_aos_messages_lose_the_go_location_suffix_but_keep_it_in_raw()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/unit-status", Samples.Read("aos/unitstatus-v6-legacy-instance-failed.json"));
        var failed = Assert.Single(await api.ReadRecordsAsync(result), r => r.GetProperty("state").GetString() == "failed");
        Assert.Equal("instance failed", failed.GetProperty("message").GetString());
        Assert.Equal(1, failed.GetProperty("exitCode").GetInt32());
        Assert.Contains("StartInstance.func1:151", failed.GetProperty("raw").GetRawText());
    }
}
