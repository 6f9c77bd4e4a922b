using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>Crash loops of containers (the default crash-loop rule), driven by a clock the test moves; each source's own patterns are tested in its folder.</summary>
public sealed class PatternDetectorTests : ClockedConsole
{
    [Fact]
    public async Task Repeated_exits_of_one_container_become_a_crash_loop_linked_to_them()
    {
        var api = Factory.CreateApiClient();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var die = DockerDie(exitCode: 1, at: Clock.Now.AddMinutes(i * 2));
            var result = await api.PostOkAsync("/api/v1/container-exits", die);
            ids.Add(result.GetProperty("records")[0].GetProperty("id").GetInt64());
            Assert.Equal("exit.app-error", result.GetProperty("records")[0].GetProperty("category").GetString());
        }

        var loop = Assert.Single(await Patterns("restart.crash-loop"));
        Assert.Equal("docker/local/flaky", loop.GetProperty("instance").GetString());
        Assert.Equal(string.Join(',', ids), loop.GetProperty("derivedFrom").GetString());
        Assert.Equal("pattern-crash-loop", loop.GetProperty("ruleId").GetString());

        await api.PostOkAsync("/api/v1/container-exits", DockerDie(exitCode: 1, at: Clock.Now.AddMinutes(5)));
        Assert.Single(await Patterns("restart.crash-loop")); // the loop is already on the timeline
    }

    [Fact]
    public async Task Graceful_stops_and_exits_spread_over_time_are_not_a_crash_loop()
    {
        var api = Factory.CreateApiClient();
        // Each exit is sent when it happens: a time far ahead of the console's clock would be taken as a wrong clock and
        // replaced by the received time, which puts all three exits of 1 within two minutes, and then whether they make
        // a loop depends on whether the watcher sees them in one batch or three.
        var start = Clock.Now;
        foreach (var (exitCode, minute) in new[] { (143, 0), (143, 1), (1, 2), (1, 30), (1, 60) })
        {
            Clock.Advance(start.AddMinutes(minute) - Clock.Now);
            await api.PostOkAsync("/api/v1/container-exits", DockerDie(exitCode, Clock.Now));
        }
        Assert.Empty(await Patterns("restart.crash-loop"));
    }

    [Fact]
    public async Task A_container_quiet_for_longer_than_any_window_is_forgotten()
    {
        var api = Factory.CreateApiClient();
        var detector = Factory.Services.GetRequiredService<CrashLoopDetector>();
        var watcher = Factory.Services.GetRequiredService<CrashLoopWatcher>();
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(1, Clock.Now, name: "once"));
        await watcher.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(1, detector.TrackedInstances);

        Clock.Advance(TimeSpan.FromHours(3));
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(1, Clock.Now, name: "later"));
        await watcher.WhenIdleAsync(CancellationToken.None);
        Assert.Equal(1, detector.TrackedInstances);
    }

    [Fact]
    public async Task More_instances_failing_within_the_window_than_it_tracks_leave_the_most_recently_touched()
    {
        // A detector of its own: the console's is the watcher's, which may prime it at the same moment.
        var detector = ActivatorUtilities.CreateInstance<CrashLoopDetector>(Factory.Services);
        await detector.PrimeAsync(CancellationToken.None);
        var failures = CrashLoopDetector.MaxTrackedInstances + CrashLoopDetector.MaxTrackedInstances / 2;
        var id = 0L;
        EventRecord Exit(string instance) => new()
        {
            Id = ++id, Kind = "container", Source = "ci", Format = "simple", Entry = "exit", InstanceKey = instance, InstanceName = instance,
            ExitCode = 1, Category = "exit.app-error", OccurredAt = Clock.Now, DedupeKey = $"k{id}", RawJson = "{}",
        };
        for (var first = 0; first < failures; first += 1_000)
        {
            await detector.DetectAsync([.. Enumerable.Range(first, 1_000).Select(i => Exit($"ci/c{i}"))], "v", CancellationToken.None);
            Clock.Advance(TimeSpan.FromMilliseconds(10));
        }

        Assert.InRange(detector.TrackedInstances, CrashLoopDetector.TrimmedTo, CrashLoopDetector.MaxTrackedInstances);
        // The newest instance kept its window: two more exits within it make three, a loop.
        var newest = $"ci/c{failures - 1}";
        Assert.Equal(newest, Assert.Single(await detector.DetectAsync([Exit(newest), Exit(newest)], "v", CancellationToken.None)).InstanceKey);
    }

    [Fact]
    public async Task One_batch_of_a_backlog_finds_the_loops_its_records_find_one_by_one()
    {
        // Three exits within two minutes, then one half an hour later: a loop at the third, whether the sender posts the
        // backlog at once or each exit as it happens.
        var minutes = new[] { 0, 1, 2, 30 };
        var batched = ActivatorUtilities.CreateInstance<CrashLoopDetector>(Factory.Services);
        var oneByOne = ActivatorUtilities.CreateInstance<CrashLoopDetector>(Factory.Services);
        await batched.PrimeAsync(CancellationToken.None);
        await oneByOne.PrimeAsync(CancellationToken.None);
        var exits = minutes.Select((m, i) => new EventRecord
        {
            Id = i + 1, Kind = "container", Source = "ci", Format = "simple", Entry = "exit", InstanceKey = "ci/backlog", InstanceName = "backlog",
            ExitCode = 1, Category = "exit.app-error", OccurredAt = Clock.Now.AddMinutes(m - 30), DedupeKey = $"k{i}", RawJson = "{}",
        }).ToList();

        var fromBatch = await batched.DetectAsync(exits, "v", CancellationToken.None);
        var fromEach = new List<EventRecord>();
        foreach (var exit in exits) fromEach.AddRange(await oneByOne.DetectAsync([exit], "v", CancellationToken.None));

        var loop = Assert.Single(fromBatch);
        Assert.Equal(exits[2].OccurredAt, loop.OccurredAt);
        Assert.Equal("1,2,3", loop.DerivedFrom);
        Assert.Equal([(loop.OccurredAt, loop.DerivedFrom)], fromEach.Select(l => (l.OccurredAt, l.DerivedFrom)));
    }

    private static string DockerDie(int exitCode, DateTimeOffset at, string name = "flaky") => JsonSerializer.Serialize(new
    {
        Type = "container", Action = "die", scope = "local", time = at.ToUnixTimeSeconds(), timeNano = at.ToUnixTimeMilliseconds() * 1_000_000,
        Actor = new { ID = "f1a2" + name, Attributes = new Dictionary<string, string> { ["exitCode"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = name } },
    });
}
