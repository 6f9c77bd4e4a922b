using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpsConsole.Sources.Docker;
using OpsConsole.Tests.Features.Collectors;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sources.Docker;

/// <summary>
/// <c>collect docker</c> against an Engine API stand-in on a Unix socket that streams the corpus events
/// (tests/corpus/docker, provenance in its manifest.json) the way the daemon does: filtered by the request's
/// filters, one JSON object per line, honouring since= when the collector reconnects.
/// </summary>
public sealed class DockerCollectorTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-collector", Guid.NewGuid().ToString("n"));
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"ocd-{Guid.NewGuid():n}"[..16] + ".sock");

    public DockerCollectorTests() => Directory.CreateDirectory(_directory);

    private static IEnumerable<JsonElement> Corpus(string file) =>
        File.ReadLines(Path.Combine(Repository.Root, "tests", "corpus", "docker", file)).Where(l => l.Trim().Length > 0)
            .Select(l => JsonDocument.Parse(l).RootElement.Clone());

    /// <summary>The daemon's filter semantics for type and event (an action's name before its ':' detail).</summary>
    private static bool Matches(JsonElement ev, string filters)
    {
        using var document = JsonDocument.Parse(filters);
        var types = document.RootElement.GetProperty("type").EnumerateArray().Select(t => t.GetString()).ToList();
        var actions = document.RootElement.GetProperty("event").EnumerateArray().Select(t => t.GetString()).ToList();
        var action = ev.GetProperty("Action").GetString()!;
        return types.Contains(ev.GetProperty("Type").GetString()) && (actions.Contains(action) || actions.Contains(action.Split(':')[0]));
    }

    private static long Nanos(JsonElement ev) => ev.GetProperty("timeNano").GetInt64();

    /// <summary>Inspect answers in the Engine API's ContainerInspectResponse shape, for the containers still present.</summary>
    private static string? Inspect(string id) => id[..12] switch
    {
        "b11a85b296a9" => """{"Id":"b11a85b296a90afc460430434a504e7acb04b064575b7277724688af0e59d189","Name":"/shop-inventory-1","RestartCount":3,"State":{"Status":"exited","Running":false,"OOMKilled":true,"Dead":false,"ExitCode":137}}""",
        "5e1ecee06a7f" or "14c2529eb449" => $$$"""{"Id":"{{{id}}}","RestartCount":0,"State":{"Status":"running","Running":true,"OOMKilled":false,"Dead":false,"ExitCode":0}}""",
        _ => null, // removed (docker run --rm): the daemon answers 404
    };

    [Fact]
    public async Task Container_failures_stream_in_with_inspect_facts_and_a_broken_stream_resumes_from_since()
    {
        var timeline = new[]
            {
                "oom-then-die-137-api151.jsonl", "health-status-starting-to-healthy.jsonl", "stop-grace-period-exceeded-kill9-die137.jsonl",
                "healthcheck-exec-probes-then-unhealthy.jsonl", "non-container-events.jsonl",
            }
            .SelectMany(Corpus).OrderBy(Nanos).ToList();
        var streams = 0;

        await using var engine = await ReplayServer.StartAsync(app =>
        {
            app.MapGet("/events", async context =>
            {
                var filters = context.Request.Query["filters"].ToString();
                var matching = timeline.Where(e => Matches(e, filters)).ToList();
                if (Interlocked.Increment(ref streams) == 1)
                {
                    // The first connection breaks after the die that ends the stop sequence.
                    var cut = matching.FindIndex(e => e.GetProperty("Action").GetString() == "die" && e.GetProperty("Actor").GetProperty("ID").GetString()!.StartsWith("fe14", StringComparison.Ordinal));
                    await ReplayServer.StreamLinesAsync(context, matching.Take(cut + 1).Select(e => JsonSerializer.Serialize(e)), holdOpen: false);
                    return;
                }
                var since = context.Request.Query["since"].ToString().Split('.');
                var from = long.Parse(since[0]) * 1_000_000_000 + (since.Length > 1 ? long.Parse(since[1].PadRight(9, '0')) : 0);
                await ReplayServer.StreamLinesAsync(context, matching.Where(e => Nanos(e) >= from).Select(e => JsonSerializer.Serialize(e)), holdOpen: true);
            });
            app.MapGet("/containers/{id}/json", (string id) => Inspect(id) is { } body ? Results.Text(body, "application/json") : Results.NotFound());
        }, kestrel => kestrel.ListenUnixSocket(_socket));

        using var console = new KestrelConsole();
        await using var collector = CollectorProcess.Start("docker", "--console", console.Address.ToString(), "--key", OpsConsoleFactory.ApiKey,
            "--docker", $"unix://{_socket}", "--host", "replay-host", "--buffer", Path.Combine(_directory, "queue"));

        // oom, die, healthy, kill, kill, die, then (after the reconnect) unhealthy; the die at since= is not sent again.
        var health = await collector.WaitHealthAsync(h => h.GetProperty("itemsSent").GetInt64() >= 7, TimeSpan.FromSeconds(60));
        var streamsAsked = engine.Requests.Where(r => r.Path == "/events").ToList();
        Assert.All(streamsAsked, r => Assert.Equal(DockerCollector.Filters, r.Query["filters"].ToString()));
        Assert.Equal("", streamsAsked[0].Query["since"].ToString());
        Assert.Equal("1750671649.090123456", streamsAsked[1].Query["since"].ToString());
        await Task.Delay(500);
        Assert.Equal(7, (await collector.HealthAsync()).GetProperty("itemsSent").GetInt64());

        using var http = console.CreateNetworkClient();
        var records = (await (await http.GetAsync("/api/v1/records?source=docker&limit=100")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(7, records.Count);
        Assert.All(records, r => Assert.StartsWith("docker/replay-host/", r.GetProperty("instance").GetString()));
        Assert.Equal(["die", "die", "health_status: healthy", "health_status: unhealthy", "kill", "kill", "oom"],
            records.Select(r => r.GetProperty("reason").GetString()).Order(StringComparer.Ordinal));
        var died = records.Single(r => r.GetProperty("reason").GetString() == "die" && r.GetProperty("instance").GetString()!.EndsWith("shop-inventory-1", StringComparison.Ordinal));
        Assert.Equal(137, died.GetProperty("exitCode").GetInt32());

        // The inspect facts travel with the event, in the daemon's own attribute style.
        using var database = console.OpenDatabase();
        using var command = database.CreateCommand();
        command.CommandText = "SELECT RawJson FROM records WHERE Source = 'docker' AND Entry = 'die' AND InstanceKey LIKE '%shop-inventory-1'";
        var attributes = JsonDocument.Parse((string)command.ExecuteScalar()!).RootElement.GetProperty("Actor").GetProperty("Attributes");
        Assert.Equal("true", attributes.GetProperty("oomKilled").GetString());
        Assert.Equal("3", attributes.GetProperty("restartCount").GetString());
        Assert.Equal("137", attributes.GetProperty("exitCode").GetString());
    }

    public void Dispose()
    {
        File.Delete(_socket);
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
