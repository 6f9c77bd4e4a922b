using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>A bad clock: out-of-range times are refused by field, future times never reorder an instance's state.</summary>
public sealed class SourceTimeTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public SourceTimeTests(OpsConsoleFactory factory) => _factory = factory;

    [Theory]
    [InlineData("/api/v1/container-exits", """{"Type":"container","Action":"die","Actor":{"ID":"a1","Attributes":{"name":"x","exitCode":"1"}},"time":-99999999999}""", "time")]
    [InlineData("/api/v1/container-exits", """{"Type":"container","Action":"die","Actor":{"ID":"a1","Attributes":{"name":"x","exitCode":"1"}},"timeNano":-5}""", "timeNano")]
    [InlineData("/api/v1/vm-events?region=r1", """{"count":1,"events":[{"node":"n1","hostname":"h","id":1,"level":"INFO","type":"Commissioning","description":"","created":"Mon, 01 Jan. 0001 00:00:00"}]}""", "events[0].created")]
    [InlineData("/api/v1/unit-status", """{"header":{"version":7,"systemId":"u1","createdAt":-1},"data":{"messageType":"unitStatus","isDeltaInfo":true,"instances":[]}}""", "header.createdAt")]
    [InlineData("/api/v1/container-exits", """{"source":"ci","instance":"job-1","exitCode":1,"finishedAt":"0001-01-01T00:00:00Z"}""", "finishedAt")]
    [InlineData("/api/v1/vm-events", """{"source":"lab","instance":"vm-1","stage":"boot","status":"failed","timestamp":"9999-12-31T00:00:00Z"}""", "timestamp")]
    public async Task Out_of_range_times_are_a_400_naming_the_field(string url, string body, string field)
    {
        var response = await _factory.CreateApiClient().PostJsonTextAsync(url, body);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.EndsWith(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_record_from_the_future_takes_the_received_time_and_does_not_hide_a_later_failure()
    {
        var api = _factory.CreateApiClient();
        var future = DateTimeOffset.Parse("2099-06-01T00:00:00Z");
        var before = DateTimeOffset.UtcNow;
        var started = await api.PostOkAsync("/api/v1/container-exits", Docker("start", null, future, "clock-skewed"));
        var id = started.GetProperty("records")[0].GetProperty("id").GetInt64();

        var stored = await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
        Assert.Equal(future, stored.GetProperty("sourceTimeUntrusted").GetDateTimeOffset());
        var occurred = stored.GetProperty("occurredAt").GetDateTimeOffset();
        Assert.InRange(occurred, before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
        Assert.Equal(stored.GetProperty("receivedAt").GetDateTimeOffset(), occurred);

        await Task.Delay(20);
        await api.PostOkAsync("/api/v1/container-exits", Docker("die", 1, DateTimeOffset.UtcNow, "clock-skewed"));
        var failing = await (await api.GetAsync("/api/v1/instances/failing?search=clock-skewed")).ReadJsonAsync();
        Assert.Contains(failing.GetProperty("items").EnumerateArray(), i => i.GetProperty("instance").GetString() == "docker/local/clock-skewed");
    }

    [Fact]
    public async Task A_clock_that_was_never_set_takes_the_received_time_and_keeps_the_source_time()
    {
        var api = _factory.CreateApiClient();
        var epoch = DateTimeOffset.Parse("1970-01-01T00:00:05Z");
        var before = DateTimeOffset.UtcNow;
        var posted = await api.PostOkAsync("/api/v1/container-exits",
            """{"Type":"container","Action":"die","Actor":{"ID":"u1","Attributes":{"name":"unsynced-clock","exitCode":"1"}},"time":5}""");

        var stored = await (await api.GetAsync($"/api/v1/records/{posted.GetProperty("records")[0].GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal(epoch, stored.GetProperty("sourceTimeUntrusted").GetDateTimeOffset());
        Assert.InRange(stored.GetProperty("occurredAt").GetDateTimeOffset(), before.AddSeconds(-1), DateTimeOffset.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task A_time_slightly_ahead_within_the_skew_is_kept()
    {
        var api = _factory.CreateApiClient();
        var soon = DateTimeOffset.UtcNow.AddMinutes(2);
        var posted = await api.PostOkAsync("/api/v1/container-exits", Docker("die", 1, soon, "slightly-ahead"));
        var stored = await (await api.GetAsync($"/api/v1/records/{posted.GetProperty("records")[0].GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal(soon.ToUnixTimeMilliseconds(), stored.GetProperty("occurredAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.Equal(JsonValueKind.Null, stored.GetProperty("sourceTimeUntrusted").ValueKind);
    }

    [Fact]
    public async Task One_record_near_year_0001_does_not_stop_detection_for_the_batch()
    {
        _ = _factory.CreateClient();
        var detector = _factory.Services.GetRequiredService<CrashLoopDetector>();
        var now = DateTimeOffset.UtcNow;
        var batch = new List<EventRecord> { Exit("docker/local/ancient", DateTimeOffset.MinValue.AddMinutes(1), 900_001) };
        for (var i = 0; i < 3; i++) batch.Add(Exit("docker/local/looping", now.AddSeconds(i), 900_010 + i));

        var found = await detector.DetectAsync(batch, "v", CancellationToken.None);

        Assert.Contains(found, r => r.InstanceKey == "docker/local/looping");
    }

    private static EventRecord Exit(string key, DateTimeOffset at, long id) => new()
    {
        Id = id, Kind = "container", Source = "docker", Format = "docker-event", Entry = "die", InstanceKey = key, InstanceName = key,
        DedupeKey = $"d{id}", RawJson = "{}", ExitCode = 1, OccurredAt = at, ReceivedAt = at, LastSeenAt = at, Category = "exit.app-error",
    };

    private static string Docker(string action, int? exitCode, DateTimeOffset at, string name) => JsonSerializer.Serialize(new
    {
        Type = "container", Action = action, scope = "local", timeNano = at.ToUnixTimeMilliseconds() * 1_000_000,
        Actor = new
        {
            ID = name + "-id",
            Attributes = exitCode is { } code
                ? new Dictionary<string, string> { ["exitCode"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = name }
                : new Dictionary<string, string> { ["name"] = name },
        },
    });
}
