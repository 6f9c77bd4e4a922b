namespace OpsConsole.Tests.Sources.Nova;

/// <summary>Nova payloads through the vm-events endpoint.</summary>
public sealed class NovaFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public NovaFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Nova_fault_request_ids_are_kept()
    {
        var api = _factory.CreateApiClient();
        var fault = Assert.Single(await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/vm-events?cloud=east", Samples.Read("nova/server-fault-no-valid-host.json"))));
        Assert.Equal("nova/east/9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69", fault.GetProperty("instance").GetString());
        Assert.Equal(500, fault.GetProperty("httpCode").GetInt32());
        Assert.Equal("NoValidHost", fault.GetProperty("errorCode").GetString());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:12:44Z"), fault.GetProperty("occurredAt").GetDateTimeOffset());

        var action = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/vm-events", Samples.Read("nova/instance-action-create-error.json")));
        Assert.All(action, r => Assert.Equal("req-3a9e1c5b-7d2f-4b8a-9e6c-0f1d2e3a4b5c", r.GetProperty("requestId").GetString()));
        Assert.Contains(action, r => r.GetProperty("stage").GetString() == "compute" && r.GetProperty("state").GetString() == "Error");
    }
}
