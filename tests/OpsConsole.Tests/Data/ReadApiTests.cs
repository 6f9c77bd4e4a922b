using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Data.Postgres;

namespace OpsConsole.Tests.Data;

/// <summary>
/// The read side on each store: the records API's filters, the failing list's search (case ignored on both), groups with
/// their hourly failures, silences by instance pattern, and the live feed that open pages listen to.
/// </summary>
public abstract class ReadApiTests<TFactory>(TFactory factory) : IClassFixture<TFactory> where TFactory : OpsConsoleFactory
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    private async Task<HttpClient> IngestAsync(string tag)
    {
        // Five instances a minute apart, the newest now: three killed for memory, two that completed.
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", "[" + string.Join(",", Enumerable.Range(0, 5).Select(i =>
            $$"""{"source":"{{tag}}","instance":"Shop/{{tag}}-{{i}}","exitCode":{{(i < 3 ? 137 : 0)}},"reason":"{{(i < 3 ? "OOMKilled" : "Completed")}}","message":"Payment Worker {{i}}","finishedAt":"{{Now.AddMinutes(-i):O}}"}""")) + "]");
        return api;
    }

    [Fact]
    public async Task Records_filter_by_category_time_and_instance()
    {
        var api = await IngestAsync("reads");
        var oom = await (await api.GetAsync($"/api/v1/records?category=exit.oom-killed&since={Uri.EscapeDataString(Now.AddSeconds(-90).ToString("O"))}&limit=50")).ReadJsonAsync();
        var instances = oom.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("instance").GetString()).Where(i => i!.Contains("reads-")).ToList();
        Assert.Equal(2, instances.Count);

        var empty = await (await api.GetAsync("/api/v1/records?category=exit.oom-killed&since=2030-01-01T00:00:00Z")).ReadJsonAsync();
        Assert.Empty(empty.GetProperty("items").EnumerateArray());

        var instanceKey = oom.GetProperty("items")[0].GetProperty("instance").GetString()!;
        var one = await (await api.GetAsync($"/api/v1/records?instance={Uri.EscapeDataString(instanceKey)}")).ReadJsonAsync();
        Assert.All(one.GetProperty("items").EnumerateArray(), r => Assert.Equal(instanceKey, r.GetProperty("instance").GetString()));
        Assert.Single(one.GetProperty("items").EnumerateArray());

        var categories = await (await api.GetAsync("/api/v1/categories")).ReadJsonAsync();
        Assert.True(categories.EnumerateArray().Single(c => c.GetProperty("id").GetString() == "exit.oom-killed").GetProperty("records").GetInt32() >= 3);
    }

    [Fact]
    public async Task Records_in_a_time_range_page_newest_first_by_their_own_time_without_gaps_or_repeats()
    {
        var api = await IngestAsync("paged");
        var seen = new List<(DateTimeOffset At, string Instance)>();
        string? cursor = null;
        do
        {
            var page = await (await api.GetAsync($"/api/v1/records?source=paged&since={Uri.EscapeDataString(Now.AddHours(-1).ToString("O"))}&limit=2" +
                                                 (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync();
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(r => (r.GetProperty("occurredAt").GetDateTimeOffset(), r.GetProperty("instance").GetString()!)));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null && seen.Count < 20);

        Assert.Equal(5, seen.Count);
        Assert.Equal(5, seen.Select(r => r.Instance).Distinct().Count());
        Assert.Equal(seen.OrderByDescending(r => r.At).Select(r => r.Instance), seen.Select(r => r.Instance));
    }

    [Fact]
    public async Task Records_of_one_instance_page_newest_first_by_their_own_time_as_its_timeline()
    {
        // Arrival order is not the source's order: the newest exit arrives first, the two older ones after it.
        var api = factory.CreateApiClient();
        string Exit(int minutesAgo) =>
            $$"""{"source":"timeline","instance":"Shop/timeline-0","exitCode":1,"reason":"Error","message":"exit {{minutesAgo}}","finishedAt":"{{Now.AddMinutes(-minutesAgo):O}}"}""";
        await api.PostOkAsync("/api/v1/container-exits", $"[{Exit(1)}]");
        await api.PostOkAsync("/api/v1/container-exits", $"[{Exit(3)},{Exit(2)}]");
        var instanceKey = (await (await api.GetAsync("/api/v1/records?source=timeline&limit=1")).ReadJsonAsync()).GetProperty("items")[0].GetProperty("instance").GetString()!;

        var messages = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await api.GetAsync($"/api/v1/records?instance={Uri.EscapeDataString(instanceKey)}&limit=1" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadJsonAsync();
            messages.AddRange(page.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("message").GetString()!));
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null && messages.Count < 10);

        Assert.Equal(["exit 1", "exit 2", "exit 3"], messages);
    }

    [Fact]
    public async Task A_family_of_the_failing_list_totals_its_categories_and_lists_only_its_instances()
    {
        var api = await IngestAsync("family");
        var family = RecordDto.FamilyOf("exit.oom-killed");
        var page = await (await api.GetAsync($"/api/v1/instances/failing?family={family}&limit=500")).ReadJsonAsync();
        var items = page.GetProperty("items").EnumerateArray().ToList();

        Assert.All(items, i => Assert.Equal(family, i.GetProperty("family").GetString()));
        Assert.Contains(items, i => i.GetProperty("instance").GetString()!.Contains("family-0", StringComparison.Ordinal));
        // The total comes from the category counters here; it must agree with the instances listed.
        Assert.Equal(items.Count, page.GetProperty("total").GetInt32());
        var times = items.Select(i => i.GetProperty("lastFailureAt").GetDateTimeOffset()).ToList();
        Assert.Equal(times.OrderDescending(), times);
    }

    [Fact]
    public async Task The_failing_search_ignores_case_and_groups_count_failures_per_hour()
    {
        var api = await IngestAsync("search");
        foreach (var search in new[] { "PAYMENT worker", "shop/SEARCH-1" })
        {
            var page = await (await api.GetAsync($"/api/v1/instances/failing?search={Uri.EscapeDataString(search)}&limit=50")).ReadJsonAsync();
            Assert.Contains(page.GetProperty("items").EnumerateArray(), i => i.GetProperty("instance").GetString()!.Contains("search-1", StringComparison.Ordinal));
        }

        var groups = await factory.Services.GetRequiredService<FailingGroups>().ListAsync(new FailingFilter(Search: "search-"), FailingGrouping.Category, CancellationToken.None);
        var oom = groups.Single(g => g.Key == "exit.oom-killed");
        Assert.Equal(3, oom.Count);
        Assert.Equal(3, oom.FailuresPerHour.Sum());
    }

    [Fact]
    public async Task A_silence_pattern_matches_instances_whatever_their_case()
    {
        await IngestAsync("silenced");
        var created = await factory.CreateApiClient().PostAsJsonAsync("/api/v1/silences",
            new { instancePattern = "*shop/SILENCED-*", reason = "maintenance", endsAt = DateTimeOffset.UtcNow.AddHours(1) });
        var body = await created.ReadJsonAsync();
        Assert.True(created.IsSuccessStatusCode, body.ToString());
        var page = await (await factory.CreateApiClient().GetAsync("/api/v1/instances/failing?search=silenced-&limit=50")).ReadJsonAsync();
        Assert.Empty(page.GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Open_pages_hear_of_a_record_as_it_is_committed()
    {
        var heard = new TaskCompletionSource<IReadOnlyList<EventRecord>>(TaskCreationOptions.RunContinuationsAsynchronously);
        var announced = new TaskCompletionSource<CommitNotice>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var contents = factory.Services.GetRequiredService<CommittedRecords>().Subscribe(records =>
        {
            if (records.Any(r => r.Source == "live")) heard.TrySetResult(records);
        });
        using var notices = factory.Services.GetRequiredService<ICommitFeed>().Subscribe(notice =>
        {
            if (notice.Records?.Any(r => r.Source == "live") == true) announced.TrySetResult(notice);
        });
        var posted = await IngestAsync("live");

        var records = await heard.Task.WaitAsync(TimeSpan.FromSeconds(5));
        var record = records.First(r => r.Source == "live");
        Assert.True(record.Id > 0);
        var notice = await announced.Task.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.InRange(record.Id, notice.From, notice.HighWater);
        Assert.Contains(record.InstanceKey, notice.InstanceKeys!);
        var stored = await (await posted.GetAsync($"/api/v1/records/{record.Id}")).ReadJsonAsync();
        Assert.Equal(record.InstanceKey, stored.GetProperty("instance").GetString());
    }
}

public sealed class SqliteReadApiTests(OpsConsoleFactory factory) : ReadApiTests<OpsConsoleFactory>(factory);

public sealed class PostgresReadApiTests(PostgresConsoleFactory factory) : ReadApiTests<PostgresConsoleFactory>(factory);
