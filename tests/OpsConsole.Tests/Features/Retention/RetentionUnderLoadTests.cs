using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Features.Retention;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Retention;

/// <summary>A retention run over many expired records in short transactions: ingestion goes on meanwhile, and the file shrinks after.</summary>
public sealed class RetentionUnderLoadTests : IDisposable
{
    private const int Instances = 300, PerInstance = 150;

    private readonly OpsConsoleFactory _factory = new();

    [Fact]
    public async Task Ingest_during_a_run_waits_for_one_batch_at_most_and_the_freed_pages_go_back_to_the_disk()
    {
        var store = _factory.Services.GetRequiredService<IRecordStore>();
        var old = DateTimeOffset.UtcNow.AddDays(-200);
        for (var instance = 0; instance < Instances; instance++)
            // Exits of one instance 15 minutes apart: further apart than a crash loop's window, so no pattern record keeps them.
            await store.WriteAsync([.. Enumerable.Range(0, PerInstance).Select(i => Expired(instance, i, old.AddMinutes(15 * i).AddSeconds(instance)))], CancellationToken.None);
        var sizeBefore = new FileInfo(_factory.DatabasePath).Length + WalBytes();
        var api = _factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", RetentionTests.Exits([-1], exitCode: 1, DateTimeOffset.UtcNow)); // warm: the first request compiles the path

        var clock = Stopwatch.StartNew();
        // On its own thread, as the hosted job runs.
        var running = Task.Run(() => _factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None));
        var latencies = new List<TimeSpan>();
        for (var post = 0; !running.IsCompleted; post++)
        {
            var request = Stopwatch.StartNew();
            await api.PostOkAsync("/api/v1/container-exits", RetentionTests.Exits([post], exitCode: 1, DateTimeOffset.UtcNow));
            if (!running.IsCompleted) latencies.Add(request.Elapsed);
        }
        var run = await running;
        var runTime = clock.Elapsed;

        Assert.Equal(Instances * (PerInstance - 1), run.Deleted); // each instance keeps its current record
        Assert.Equal(Instances, run.Kept);
        Assert.True(latencies.Count >= 5, $"only {latencies.Count} requests ran during a {runTime.TotalSeconds:0.0} s run");
        // Most requests wait for one slice (50 ms) at most; none waits for the run. The bound on the slowest is loose
        // because the test machine is shared (a build next door stalls any request now and then).
        var waits = $"ingest during a {runTime.TotalMilliseconds:0} ms run took {string.Join(", ", latencies.Select(l => $"{l.TotalMilliseconds:0}"))} ms";
        Assert.True(latencies.Order().ElementAt(latencies.Count * 9 / 10) < TimeSpan.FromMilliseconds(300), waits);
        Assert.True(latencies.Max() * 2 < runTime, waits);
        RecordCounterTests.AssertCountersMatch(_factory);
        Assert.Equal(0, _factory.Scalar("PRAGMA freelist_count"));
        Assert.True(new FileInfo(_factory.DatabasePath).Length < sizeBefore / 2, $"the file kept {new FileInfo(_factory.DatabasePath).Length} of {sizeBefore} bytes");
    }

    private long WalBytes() => File.Exists(_factory.DatabasePath + "-wal") ? new FileInfo(_factory.DatabasePath + "-wal").Length : 0;

    private static EventRecord Expired(int instance, int i, DateTimeOffset at) => new()
    {
        Kind = "container", Source = "ci", Format = "simple", Entry = "terminated",
        InstanceKey = $"ci/old-{instance}", InstanceName = $"old-{instance}",
        ExitCode = 1, Reason = "Error", Message = new string('x', 200),
        OccurredAt = at, ReceivedAt = at, LastSeenAt = at,
        Category = "exit.app-error", Severity = "error", IsFailure = true,
        DedupeKey = $"old|{instance}|{i}", RawJson = "{}",
    };

    public void Dispose() => _factory.Dispose();
}
