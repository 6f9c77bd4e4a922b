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

    [Fact]
    public async Task Api_rejections_without_a_server_are_filed_per_project_else_per_kind_never_on_one_catch_all()
    {
        var api = _factory.CreateApiClient();
        async Task<string> InstanceOf(string query, string sample) =>
            Assert.Single(await api.ReadRecordsAsync(await api.PostOkAsync($"/api/v1/vm-events?cloud=rej{query}", Samples.Read(sample))))
                .GetProperty("instance").GetString()!;

        var quota = await InstanceOf("", "nova/create-server-403-quota-exceeded.json");
        var badRequest = await InstanceOf("", "nova/create-server-400-image-not-found.json");
        Assert.Equal("nova/rej/rejected/forbidden", quota);
        Assert.Equal("nova/rej/rejected/badRequest", badRequest);

        Assert.Equal("nova/rej/project/shop", await InstanceOf("&project=shop", "nova/create-server-403-quota-exceeded.json"));
        Assert.Equal("nova/rej/9e2c4f1a", await InstanceOf("&server=9e2c4f1a&project=shop", "nova/create-server-400-image-not-found.json"));

        // The newer invalid request does not replace the quota breach: they are different instances.
        var failing = await (await api.GetAsync("/api/v1/instances/failing?source=nova&limit=200")).ReadJsonAsync();
        var keys = failing.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("instance").GetString()).ToList();
        Assert.Contains(quota, keys);
        Assert.Contains(badRequest, keys);
    }
}
