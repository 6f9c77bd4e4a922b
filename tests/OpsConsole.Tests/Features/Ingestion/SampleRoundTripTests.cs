using System.Text.Json;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>Every shared sample goes in through its endpoint and comes back through the read APIs.</summary>
public sealed class SampleRoundTripTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public SampleRoundTripTests(OpsConsoleFactory factory) => _factory = factory;

    public static TheoryData<string> Files => Samples.LabelledFiles();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Each_sample_is_accepted_and_every_record_reads_back(string file)
    {
        var label = Samples.Labels[file];
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync($"/api/v1/{label.Endpoint}", Samples.Read(file), label.ContentType);

        var records = result.GetProperty("records").EnumerateArray().ToList();
        Assert.NotEmpty(records);
        foreach (var summary in records)
        {
            var id = summary.GetProperty("id").GetInt64();
            var stored = await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
            Assert.Equal(summary.GetProperty("instance").GetString(), stored.GetProperty("instance").GetString());
            Assert.Equal(summary.GetProperty("category").GetString(), stored.GetProperty("category").GetString());
            Assert.Equal(JsonValueKind.Object, stored.GetProperty("raw").ValueKind);
            Assert.False(string.IsNullOrEmpty(stored.GetProperty("ruleId").GetString()));

            var timeline = await (await api.GetAsync($"/api/v1/instances/{Uri.EscapeDataString(stored.GetProperty("instance").GetString()!)}/timeline")).ReadJsonAsync();
            Assert.Contains(timeline.GetProperty("records").EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
        }
    }

    [Fact]
    public async Task Kubernetes_pod_fields_and_times_come_from_the_source()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?cluster=aks-prod", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));
        var records = await ReadAllAsync(api, result);

        var last = Assert.Single(records, r => r.GetProperty("entry").GetString() == "last-terminated");
        Assert.Equal("k8s/aks-prod/prod/inventory-799bc6c8f9-kvbzh/inventory", last.GetProperty("instance").GetString());
        Assert.Equal(137, last.GetProperty("exitCode").GetInt32());
        Assert.Equal("OOMKilled", last.GetProperty("reason").GetString());
        Assert.Equal(7, last.GetProperty("restartCount").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:19:39Z"), last.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("aks-nodepool1-31718369-vmss000002", last.GetProperty("location").GetString());

        var waiting = Assert.Single(records, r => r.GetProperty("entry").GetString() == "waiting");
        Assert.Equal("CrashLoopBackOff", waiting.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Aos_instance_identity_error_and_header_time_are_kept()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/unit-status", Samples.Read("aos/unitstatus-v7-delta-instance-activating-then-failed.json"));
        var failed = Assert.Single(await ReadAllAsync(api, result), r => r.GetProperty("state").GetString() == "failed");

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
        var failed = Assert.Single(await ReadAllAsync(api, result), r => r.GetProperty("state").GetString() == "failed");
        Assert.Equal("instance failed", failed.GetProperty("message").GetString());
        Assert.Equal(1, failed.GetProperty("exitCode").GetInt32());
        Assert.Contains("StartInstance.func1:151", failed.GetProperty("raw").GetRawText());
    }

    [Fact]
    public async Task Container_apps_exit_code_is_parsed_from_the_log_text()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits", Samples.Read("aca/az-query-systemlogs-cl-oom-137-probe.json"));
        var records = await ReadAllAsync(api, result);
        var oom = Assert.Single(records, r => r.GetProperty("reason").GetString() == "OOMKilled");
        Assert.Equal(137, oom.GetProperty("exitCode").GetInt32());
        Assert.Equal("aca/ca-report-worker/ca-report-worker--r7t1x9a", oom.GetProperty("instance").GetString());
        Assert.Equal("ContainerTerminated", oom.GetProperty("entry").GetString());
        Assert.Equal("Warning", oom.GetProperty("state").GetString());
        var probe = Assert.Single(records, r => r.GetProperty("entry").GetString() == "ProbeFailed");
        Assert.Equal(12, probe.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Docker_times_come_from_timeNano_and_exit_codes_from_string_attributes()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits?host=edge-7", Samples.Read("docker/events-oom-then-die.jsonl"), "application/x-ndjson");
        var die = Assert.Single(await ReadAllAsync(api, result), r => r.GetProperty("entry").GetString() == "die");
        Assert.Equal("docker/edge-7/shop-inventory-1", die.GetProperty("instance").GetString());
        Assert.Equal(137, die.GetProperty("exitCode").GetInt32());
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1750671579530), die.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal("oom-evidence", die.GetProperty("hints").GetString());
    }

    [Fact]
    public async Task Nova_fault_request_ids_and_maas_times_are_kept()
    {
        var api = _factory.CreateApiClient();
        var fault = Assert.Single(await ReadAllAsync(api, await api.PostOkAsync("/api/v1/vm-events?cloud=east", Samples.Read("nova/server-fault-no-valid-host.json"))));
        Assert.Equal("nova/east/9e2c4f1a-6b3d-4c8e-a7f0-5d1b2e3c4a69", fault.GetProperty("instance").GetString());
        Assert.Equal(500, fault.GetProperty("httpCode").GetInt32());
        Assert.Equal("NoValidHost", fault.GetProperty("errorCode").GetString());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:12:44Z"), fault.GetProperty("occurredAt").GetDateTimeOffset());

        var action = await ReadAllAsync(api, await api.PostOkAsync("/api/v1/vm-events", Samples.Read("nova/instance-action-create-error.json")));
        Assert.All(action, r => Assert.Equal("req-3a9e1c5b-7d2f-4b8a-9e6c-0f1d2e3a4b5c", r.GetProperty("requestId").GetString()));
        Assert.Contains(action, r => r.GetProperty("stage").GetString() == "compute" && r.GetProperty("state").GetString() == "Error");

        var maas = await ReadAllAsync(api, await api.PostOkAsync("/api/v1/vm-events?region=r3", Samples.Read("maas/events-query-commissioning-timeout.json")));
        var marking = Assert.Single(maas, r => r.GetProperty("reason").GetString() == "Marking node failed");
        Assert.Equal("maas/r3/k7xq3p", marking.GetProperty("instance").GetString());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:52:10Z"), marking.GetProperty("occurredAt").GetDateTimeOffset());
    }

    private static async Task<List<JsonElement>> ReadAllAsync(HttpClient api, JsonElement result)
    {
        var list = new List<JsonElement>();
        foreach (var summary in result.GetProperty("records").EnumerateArray())
            list.Add(await (await api.GetAsync($"/api/v1/records/{summary.GetProperty("id").GetInt64()}")).ReadJsonAsync());
        return list;
    }
}
