using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Features.Collectors;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>The sender between the file queue and the console: retries, refusals, identity and heartbeats.</summary>
public sealed class ConsoleSenderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-sender", Guid.NewGuid().ToString("n"));

    private (ConsoleSender Sender, FileQueue Queue, CollectorStatus Status, CollectorIdentity Identity) Create(Uri console, TimeSpan? heartbeat = null)
    {
        var settings = new CollectorSettings
        {
            Console = console.ToString(), Key = OpsConsoleFactory.ApiKey, RetryBase = TimeSpan.FromMilliseconds(20), RetryMax = TimeSpan.FromMilliseconds(100),
            Heartbeat = heartbeat ?? TimeSpan.FromMinutes(5),
        };
        var identity = new CollectorIdentity("sender-test", "docker", "9.9.9", "edge-7");
        var queue = new FileQueue(_directory);
        var status = new CollectorStatus(identity, queue, TimeProvider.System);
        return (new ConsoleSender(new HttpClient(), settings, identity, queue, status, "container-exits", NullLogger.Instance, TimeProvider.System), queue, status, identity);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        for (var i = 0; i < 200 && !condition(); i++) await Task.Delay(25);
        Assert.True(condition());
    }

    [Fact]
    public async Task A_failing_or_busy_console_gets_the_same_batch_again_until_it_accepts_it()
    {
        var answers = new ConcurrentQueue<int>([503, 429, 200]);
        var bodies = new ConcurrentQueue<string>();
        await using var console = await ReplayServer.StartAsync(app => app.MapPost("/api/v1/container-exits", async (HttpContext context) =>
        {
            bodies.Enqueue(await new StreamReader(context.Request.Body).ReadToEndAsync());
            var status = answers.TryDequeue(out var s) ? s : 200;
            if (status == 429) context.Response.Headers.RetryAfter = "0";
            context.Response.StatusCode = status;
        }));
        var (sender, queue, status, _) = Create(console.Address);
        var delivered = new ConcurrentBag<long>();
        sender.Delivered += sequences => { foreach (var s in sequences) delivered.Add(s); };
        var sequence = queue.Enqueue("container-exits", "host=edge-7", ["""{"a":1}""", """{"a":2}"""]);

        using var stop = new CancellationTokenSource();
        var running = sender.RunAsync(stop.Token);
        await WaitUntilAsync(() => queue.Backlog == 0);
        await stop.CancelAsync();
        await running;

        Assert.Equal(3, bodies.Count);
        Assert.All(bodies, b => Assert.Equal("{\"a\":1}\n{\"a\":2}", b));
        Assert.Equal([sequence], delivered);
        Assert.Equal(2, status.ItemsSent);
        Assert.Contains("429", status.LastError);
        var request = console.Requests.Last();
        Assert.Equal("edge-7", request.Query["host"].ToString());
        Assert.Equal("sender-test", request.Headers[CollectorIdentity.NameHeader]);
        Assert.Equal("edge-7", request.Headers[CollectorIdentity.HostHeader]);
        Assert.Equal(OpsConsoleFactory.ApiKey, request.Headers["X-Api-Key"]);
    }

    [Fact]
    public async Task A_batch_the_console_refuses_as_malformed_is_set_aside_and_the_next_one_goes_through()
    {
        await using var console = await ReplayServer.StartAsync(app => app.MapPost("/api/v1/container-exits", async (HttpContext context) =>
        {
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            context.Response.StatusCode = body.Contains("bad", StringComparison.Ordinal) ? 400 : 200;
        }));
        var (sender, queue, status, _) = Create(console.Address);
        queue.Enqueue("container-exits", "host=a", ["""{"bad":true}"""]);
        queue.Enqueue("container-exits", "host=b", ["""{"good":true}"""]);

        using var stop = new CancellationTokenSource();
        var running = sender.RunAsync(stop.Token);
        await WaitUntilAsync(() => queue.Backlog == 0);
        await stop.CancelAsync();
        await running;

        Assert.Single(Directory.GetFiles(Path.Combine(_directory, "rejected")));
        Assert.Equal(1, status.ItemsSent);
        Assert.Contains("400", status.LastError ?? "");
    }

    [Fact]
    public async Task An_idle_collector_checks_in_and_the_console_lists_it_with_its_backlog_until_it_falls_silent()
    {
        using var console = new KestrelConsole(new Dictionary<string, string?> { ["Sources:SilentAfter"] = "00:00:10" });
        var (sender, _, status, identity) = Create(console.Address, heartbeat: TimeSpan.FromMilliseconds(100));
        using var stop = new CancellationTokenSource();
        var running = sender.RunAsync(stop.Token);
        var contacts = console.Services.GetRequiredService<CollectorContacts>();
        await WaitUntilAsync(() => contacts.Summaries().Any(c => c.Name == identity.Name));
        await stop.CancelAsync();
        await running;

        var known = contacts.Summaries().Single(c => c.Name == identity.Name);
        Assert.Equal(("docker", "9.9.9", "edge-7", 0, 0L, false), (known.Source, known.Version, known.Host, known.Backlog, known.Items, known.IsSilent));
        Assert.Null(status.LastError);
        var page = await (await console.SignedInClientAsync(OpsConsole.Features.Auth.ConsoleRoles.Viewer)).GetStringAsync("/sources");
        Assert.Contains("data-collector=\"sender-test\"", page);

        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var silent = new CollectorContacts(console.Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<OpsConsole.Features.SourceHealth.SourcesOptions>>(), clock);
        var headers = new HeaderDictionary { [CollectorIdentity.NameHeader] = "quiet", [CollectorIdentity.SourceHeader] = "maas", [CollectorIdentity.BacklogHeader] = "12" };
        silent.Record(headers, 3);
        Assert.False(silent.Summaries().Single().IsSilent);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal((true, 12, 3L), (silent.Summaries().Single().IsSilent, silent.Summaries().Single().Backlog, silent.Summaries().Single().Items));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
