using OpsConsole.Tests.Corpus;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>Notifications about a compute service or host are filed against that host, beside its servers.</summary>
public sealed class NovaNotificationTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public NovaNotificationTests(OpsConsoleFactory factory) => _factory = factory;

    private async Task<System.Text.Json.JsonElement> OnlyRecordAsync(string body, string cloud)
    {
        var api = _factory.CreateApiClient();
        return Assert.Single(await api.ReadRecordsAsync(await api.PostOkAsync($"/api/v1/vm-events?cloud={cloud}", body)));
    }

    [Fact]
    public async Task A_service_update_is_stored_against_the_compute_host()
    {
        var record = await OnlyRecordAsync(CorpusPayloads.Named("nova/notification-service-update-up.json").Read(), "svc");

        Assert.Equal("nova/svc/host/host1", record.GetProperty("instance").GetString());
        Assert.Equal("service.update", record.GetProperty("reason").GetString());
        Assert.Equal("up", record.GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_libvirt_connect_error_names_its_exception_and_host()
    {
        var record = await OnlyRecordAsync(CorpusPayloads.Named("nova/notification-libvirt-connect-error.json").Read(), "virt");

        Assert.Equal("nova/virt/host/compute", record.GetProperty("instance").GetString());
        Assert.Equal("libvirtError", record.GetProperty("errorCode").GetString());
        // The payload names no instance state; the priority ERROR is no state of the host.
        Assert.True(record.GetProperty("state").ValueKind == System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task A_notification_keeps_the_instance_state_apart_from_its_priority()
    {
        // An INFO notification about a server left in vm_state error (deleting a server that was never built): the state is
        // the instance's, the notification itself is no error, so the state rule says why the server is in error.
        const string legacy = "{\"event_type\":\"compute.instance.delete.start\",\"publisher_id\":\"compute.node-3\",\"priority\":\"INFO\",\"timestamp\":\"2025-06-23 08:10:00.000000\",\"message_id\":\"legacy-2\",\"payload\":{\"instance_id\":\"0c4b1f6e-2d8a-4f3b-9e7c-5a6d1b2c3e4f\",\"state\":\"error\",\"state_description\":\"deleting\"}}";

        var record = await OnlyRecordAsync(legacy, "old");

        Assert.Equal("error", record.GetProperty("state").GetString());
        Assert.Equal(("vm.build-failed", "nova-notification-instance-in-error"),
            (record.GetProperty("category").GetString(), record.GetProperty("ruleId").GetString()));
    }

    [Fact]
    public async Task A_legacy_unversioned_notification_names_its_server_by_instance_id()
    {
        const string legacy = "{\"event_type\":\"compute.instance.create.error\",\"publisher_id\":\"compute.node-3\",\"priority\":\"ERROR\",\"timestamp\":\"2025-06-23 08:00:00.000000\",\"message_id\":\"legacy-1\",\"payload\":{\"instance_id\":\"7d3f0b0e-6a1c-4c55-9a57-2b6a9a1f0c11\",\"state\":\"error\",\"message\":\"No valid host was found.\"}}";

        var record = await OnlyRecordAsync(legacy, "old");

        Assert.Equal("nova/old/7d3f0b0e-6a1c-4c55-9a57-2b6a9a1f0c11", record.GetProperty("instance").GetString());
        Assert.Equal("node-3", record.GetProperty("location").GetString());
    }
}
