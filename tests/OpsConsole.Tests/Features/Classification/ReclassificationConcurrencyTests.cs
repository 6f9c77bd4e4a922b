using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Classification;
using OpsConsole.Infrastructure;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>
/// A reclassification works in short transactions and rebuilds only the instances whose records changed, so
/// ingestion carries on beside it: no request waits for more than a slice.
/// </summary>
public sealed class ReclassificationConcurrencyTests : IDisposable
{
    private readonly string _rulesPath = Path.Combine(Path.GetTempPath(), $"opsconsole-rules-{Guid.NewGuid():n}.yaml");

    [Fact]
    public async Task Ingest_during_a_reclassification_waits_a_slice_not_the_whole_run()
    {
        using var factory = await StoredThenRulesChangedAsync();
        var api = factory.CreateApiClient();
        var reclassifier = factory.Services.GetRequiredService<Reclassifier>();
        var starvedBefore = OpsMetrics.ThreadPoolStarvation.Value;
        var run = Stopwatch.StartNew();
        var reclassification = Task.Run(() => reclassifier.RunAsync(CancellationToken.None));

        // Each request's time and where the console says it went (its Server-Timing): a slow one that waited for the
        // writer is a slice or checkpoint too long; one whose own stages were short waited outside them (the pool, a pause).
        var latencies = new List<(double Ms, string Timing)>();
        var n = 0;
        while (!reclassification.IsCompleted)
        {
            var watch = Stopwatch.StartNew();
            var response = await api.PostJsonTextAsync("/api/v1/container-exits", RecordCounterTests.Batch($"live{n++}", 50, exitCode: 2));
            var elapsed = watch.Elapsed.TotalMilliseconds;
            Assert.True(response.IsSuccessStatusCode, $"ingest answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
            latencies.Add((elapsed, string.Join(", ", response.Headers.TryGetValues("Server-Timing", out var timing) ? timing : [])));
        }
        await reclassification;
        run.Stop();

        Assert.Equal("done", reclassifier.Progress.State);
        Assert.Equal(Stored, reclassifier.Progress.Changed);
        Assert.Equal(Stored, factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE Category = 'exit.sigkill'"));
        // Meaningful: the run is long enough that ingest had to interleave with it, several times.
        Assert.True(latencies.Count >= 5, $"{latencies.Count} ingest requests during a {run.ElapsedMilliseconds} ms reclassification");
        // A ratio, so a loaded machine slows both sides alike: one slice is a small part of the run, where the old single
        // rebuild transaction was a third of it. (An absolute bound of 2 s failed at load 90 with a 4.3 s request.)
        var worst = latencies.MaxBy(l => l.Ms);
        Assert.True(worst.Ms < run.ElapsedMilliseconds / 5.0,
            $"slowest ingest {worst.Ms:F0} ms (request {latencies.IndexOf(worst) + 1}; Server-Timing {worst.Timing}) during a " +
            $"{run.ElapsedMilliseconds} ms reclassification ({latencies.Count} requests; the thread pool starved " +
            $"{OpsMetrics.ThreadPoolStarvation.Value - starvedBefore} times)");
    }

    [Fact]
    public async Task An_ingest_posted_during_a_reclassification_commits_between_its_batches_and_returns_while_it_runs()
    {
        using var factory = await StoredThenRulesChangedAsync();
        var api = factory.CreateApiClient();
        // Every commit in the order the store made it: reclassification batches (C) and the posted records (R).
        var commits = new System.Collections.Concurrent.ConcurrentQueue<char>();
        using var listening = factory.Services.GetRequiredService<ICommitFeed>().Subscribe(notice =>
        {
            if (notice.Kinds == CommitKinds.Classification) commits.Enqueue('C');
            else if (notice.Records?.Any(r => r.InstanceKey.Contains("live", StringComparison.Ordinal)) == true) commits.Enqueue('R');
        });
        var reclassifier = factory.Services.GetRequiredService<Reclassifier>();
        var reclassification = Task.Run(() => reclassifier.RunAsync(CancellationToken.None));
        while (!commits.Contains('C') && !reclassification.IsCompleted) await Task.Delay(1);

        await api.PostOkAsync("/api/v1/container-exits", RecordCounterTests.Batch("live", 50, exitCode: 2));

        // Not a time limit: the request is answered while the run still has records to go, and its commit sits between
        // two of the run's, so it queued behind one batch's slice rather than behind the run.
        var progress = reclassifier.Progress;
        Assert.True(progress.State == "running" && progress.Done < Stored, $"{progress.State}: {progress.Done} of {Stored} done when the ingest returned");
        await reclassification;
        var order = new string([.. commits]);
        Assert.Matches("^C+RC+$", order);
        Assert.Equal("done", reclassifier.Progress.State);
    }

    private const int Stored = 20_000;

    /// <summary>A console with <see cref="Stored"/> failures from ci, then rules that make them SIGKILLs: every record is due.</summary>
    private async Task<OpsConsoleFactory> StoredThenRulesChangedAsync()
    {
        File.WriteAllText(_rulesPath, "rules: []\n");
        var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var api = factory.CreateApiClient();
        for (var b = 0; b < Stored / 500; b++)
            await api.PostOkAsync("/api/v1/container-exits", RecordCounterTests.Batch($"b{b}", 500, exitCode: 1));
        RecordCounterTests.ChangeRules(factory, _rulesPath);
        return factory;
    }

    public void Dispose()
    {
        if (File.Exists(_rulesPath)) File.Delete(_rulesPath);
    }
}
