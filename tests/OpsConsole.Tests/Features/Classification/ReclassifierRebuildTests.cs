using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>
/// A run rebuilds the states of changed instances as it goes, a bounded number at a time, so what it keeps in memory
/// does not grow with the store; every changed instance still ends up rebuilt after its last change.
/// </summary>
public sealed class ReclassifierRebuildTests : IDisposable
{
    private readonly string _rulesPath = Path.Combine(Path.GetTempPath(), $"opsconsole-rules-{Guid.NewGuid():n}.yaml");

    /// <summary>Enough failing instances that a run collects more than <see cref="Reclassifier.MaxPendingRebuilds"/> of them.</summary>
    private const int Instances = Reclassifier.MaxPendingRebuilds + 2 * Reclassifier.BatchSize;

    [Fact]
    public async Task A_run_rebuilds_changed_instances_in_bounded_sets_and_every_one_of_them()
    {
        File.WriteAllText(_rulesPath, "rules: []\n");
        using var factory = new OpsConsoleFactory(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var api = factory.CreateApiClient();
        for (var b = 0; b < Instances / 500; b++)
            await api.PostOkAsync("/api/v1/container-exits", RecordCounterTests.Batch($"b{b}", 500, exitCode: 1));
        RecordCounterTests.ChangeRules(factory, _rulesPath);
        var store = new RebuildsRecorded(factory.Services.GetRequiredService<IRecordStore>());
        var reclassifier = ActivatorUtilities.CreateInstance<Reclassifier>(factory.Services, store);

        await reclassifier.RunAsync(CancellationToken.None);

        Assert.Equal("done", reclassifier.Progress.State);
        Assert.Equal(Instances, reclassifier.Progress.Changed);
        // More than one set, none past the bound by more than the batch that crossed it.
        Assert.True(store.Rebuilds.Count >= 2, $"{store.Rebuilds.Count} rebuild calls");
        Assert.All(store.Rebuilds, keys => Assert.True(keys.Count < Reclassifier.MaxPendingRebuilds + Reclassifier.BatchSize, $"{keys.Count} instances in one rebuild"));
        Assert.Equal(Instances, store.Rebuilds.SelectMany(k => k).Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(Instances, factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE Category = 'exit.sigkill' AND Severity = 'critical'"));
        RecordCounterTests.AssertCountersMatch(factory);
    }

    public void Dispose()
    {
        if (File.Exists(_rulesPath)) File.Delete(_rulesPath);
    }

    /// <summary>The console's store, noting the instance keys of each rebuild it is asked for (copied: the caller may reuse its set).</summary>
    private sealed class RebuildsRecorded(IRecordStore store) : IRecordStore
    {
        public List<IReadOnlyList<string>> Rebuilds { get; } = [];

        public async Task RebuildInstanceStatesAsync(IReadOnlyCollection<string> instanceKeys, CancellationToken cancellationToken)
        {
            Rebuilds.Add([.. instanceKeys]);
            await store.RebuildInstanceStatesAsync(instanceKeys, cancellationToken);
        }

        public Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken) =>
            store.WriteAsync(records, cancellationToken);

        public Task<IReadOnlySet<string>> UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken) =>
            store.UpdateClassificationAsync(records, cancellationToken);

        public Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
            store.FailuresPerHourAsync(since, cancellationToken);

        public Task<RetentionBatch> DeleteExpiredAsync(RetentionCut cut, CancellationToken cancellationToken) => store.DeleteExpiredAsync(cut, cancellationToken);

        public Task ReleaseFreeSpaceAsync(CancellationToken cancellationToken) => store.ReleaseFreeSpaceAsync(cancellationToken);

        public Task<StorageFigures> StorageFiguresAsync(CancellationToken cancellationToken) => store.StorageFiguresAsync(cancellationToken);

        public Task SaveSourceOriginsAsync(IReadOnlyList<OpsConsole.Features.SourceHealth.SourceOrigin> sightings, long hourAgo, CancellationToken cancellationToken) =>
            store.SaveSourceOriginsAsync(sightings, hourAgo, cancellationToken);
    }
}
