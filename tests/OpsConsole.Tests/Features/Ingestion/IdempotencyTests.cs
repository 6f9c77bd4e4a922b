using System.Text.Json.Nodes;

namespace OpsConsole.Tests.Features.Ingestion;

public abstract class IdempotencyTests<TFactory> : IClassFixture<TFactory> where TFactory : OpsConsoleFactory
{
    private readonly TFactory _factory;

    protected IdempotencyTests(TFactory factory) => _factory = factory;

    [Theory]
    [InlineData("container-exits", "k8s/podlist-crashloop-oomkilled.json")]
    [InlineData("container-exits", "aca/rest-query-systemlogs-imagepull-failed.json")]
    [InlineData("unit-status", "aos/alerts-v7-instance-download-core.json")]
    [InlineData("vm-events", "maas/machines-read-failed-states.json")]
    [InlineData("vm-events", "nova/notification-instance-create-error-network.json")]
    public async Task Posting_the_same_payload_again_stores_nothing_new(string endpoint, string file)
    {
        var api = _factory.CreateApiClient();
        var first = await api.PostOkAsync($"/api/v1/{endpoint}", Samples.Read(file));
        var count = _factory.Scalar("SELECT COUNT(*) FROM records");
        var second = await api.PostOkAsync($"/api/v1/{endpoint}", Samples.Read(file));

        Assert.Equal(count, _factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, second.GetProperty("accepted").GetInt32());
        Assert.Equal(first.GetProperty("records").GetArrayLength(), second.GetProperty("duplicates").GetInt32());
        var firstIds = first.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64());
        var secondIds = second.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("id").GetInt64());
        Assert.Equal(firstIds, secondIds);
        Assert.All(second.GetProperty("records").EnumerateArray(), r => Assert.True(r.GetProperty("duplicate").GetBoolean()));
    }

    [Fact]
    public async Task A_kubernetes_event_seen_again_with_a_higher_count_updates_count_and_last_seen()
    {
        var api = _factory.CreateApiClient();
        var list = JsonNode.Parse(Samples.Read("k8s/eventlist-mixed-warnings.json"))!;
        var backOff = list["items"]![0]!.DeepClone();
        backOff["metadata"]!["uid"] = "count-update-test";
        var first = await api.PostOkAsync("/api/v1/container-exits", backOff.ToJsonString());
        var id = first.GetProperty("records")[0].GetProperty("id").GetInt64();

        backOff["count"] = 80;
        backOff["lastTimestamp"] = "2025-06-23T08:29:55Z";
        var again = await api.PostOkAsync("/api/v1/container-exits", backOff.ToJsonString());
        var summary = again.GetProperty("records")[0];
        Assert.Equal(id, summary.GetProperty("id").GetInt64());
        Assert.True(summary.GetProperty("updated").GetBoolean());
        Assert.Equal(1, _factory.Scalar("SELECT COUNT(*) FROM records WHERE RawJson LIKE '%count-update-test%'"));

        var stored = await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
        Assert.Equal(80, stored.GetProperty("count").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T08:29:55Z"), stored.GetProperty("lastSeenAt").GetDateTimeOffset());

        backOff["count"] = 70; // an older copy arriving late changes nothing
        var stale = await api.PostOkAsync("/api/v1/container-exits", backOff.ToJsonString());
        Assert.False(stale.GetProperty("records")[0].GetProperty("updated").GetBoolean());
        Assert.Equal(80, (await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync()).GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Scheduler_events_use_series_for_count_and_last_seen()
    {
        var api = _factory.CreateApiClient();
        var list = JsonNode.Parse(Samples.Read("k8s/eventlist-mixed-warnings.json"))!;
        var scheduling = list["items"]![6]!.DeepClone();
        scheduling["metadata"]!["uid"] = "series-test";
        var result = await api.PostOkAsync("/api/v1/container-exits", scheduling.ToJsonString());
        var stored = await (await api.GetAsync($"/api/v1/records/{result.GetProperty("records")[0].GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal(6, stored.GetProperty("count").GetInt32());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T09:30:44.518Z"), stored.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.Equal(DateTimeOffset.Parse("2025-06-23T09:36:02.104Z"), stored.GetProperty("lastSeenAt").GetDateTimeOffset());
        Assert.Equal("container.unschedulable", stored.GetProperty("category").GetString());
    }

    [Fact]
    public async Task A_mixed_batch_of_500_items_is_stored_in_one_request()
    {
        var docker = JsonNode.Parse(Samples.Read("docker/event-die-exit1-app-error-api152.json"))!;
        var acaRows = JsonNode.Parse(Samples.Read("aca/az-query-systemlogs-cl-crashloop-exit1.json"))!.AsArray();
        var pod = JsonNode.Parse(Samples.Read("k8s/pod-crashloop-exit1-error.json"))!;
        var items = new JsonArray();
        for (var i = 0; i < 500; i++)
        {
            JsonNode item = (i % 4) switch
            {
                0 => docker.DeepClone(),
                1 => acaRows[i % 3]!.DeepClone(),
                2 => pod.DeepClone(),
                _ => new JsonObject { ["source"] = "batch", ["instance"] = $"job-{i}", ["exitCode"] = i % 7, ["finishedAt"] = "2025-06-23T10:00:00Z" },
            };
            switch (i % 4)
            {
                case 0: item["timeNano"] = 1750672001093812553L + i; item["Actor"]!["Attributes"]!["name"] = $"api-{i % 10}"; break;
                case 1: item["TimeGenerated"] = DateTimeOffset.Parse("2025-06-23T09:14:02Z").AddSeconds(i).ToString("O"); break;
                case 2: item["metadata"]!["name"] = $"payments-api-{i}"; break;
            }
            items.Add(item);
        }

        const string inputRecords = "SELECT COUNT(*) FROM records WHERE Format <> 'derived'";
        var before = _factory.Scalar(inputRecords);
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", items.ToJsonString());
        var records = result.GetProperty("records").EnumerateArray().ToList();

        // Pods state two facts each (last termination and back-off); everything else one.
        Assert.Equal(625, records.Count);
        Assert.Equal(625, result.GetProperty("accepted").GetInt32());
        Assert.Equal(before + 625, _factory.Scalar(inputRecords));
        Assert.Equal(["container-apps", "docker", "kubernetes", "batch"], records.Select(r => r.GetProperty("source").GetString()).Distinct().Order(StringComparer.Ordinal).OrderBy(s => s == "batch"));
        Assert.Equal("docker", records[0].GetProperty("source").GetString());
        Assert.Equal("batch", records[^1].GetProperty("source").GetString());
        Assert.Contains(records, r => r.GetProperty("category").GetString() == "restart.crash-loop");
    }
}

public sealed class IdempotencyTests(OpsConsoleFactory factory) : IdempotencyTests<OpsConsoleFactory>(factory);

public sealed class PostgresIdempotencyTests(OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory factory) : IdempotencyTests<OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory>(factory);
