using OpsConsole.Features.Records;

namespace OpsConsole.Data.Notices;

/// <summary>
/// The record store as the rest of the console sees it: the provider's store, announcing each commit it made on the
/// commit feed, so no caller has to remember to (and reclassification and rebuilds reach open pages like new records).
/// </summary>
public sealed class AnnouncingRecordStore(IRecordStore store, ICommitFeed notices) : IRecordStore
{
    public async Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        var stored = await store.WriteAsync(records, cancellationToken);
        if (Written(records, stored) is { } notice) notices.Publish(notice);
        return stored;
    }

    public async Task<IReadOnlySet<string>> UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        var changed = await store.UpdateClassificationAsync(records, cancellationToken);
        // Evidence and rule ids change too, not only categories: every instance of the batch may show something new.
        if (records.Count > 0) notices.Publish(CommitNotice.Of(CommitKinds.Classification, records.Select(r => r.InstanceKey)));
        return changed;
    }

    public async Task RebuildInstanceStatesAsync(IReadOnlyCollection<string> instanceKeys, CancellationToken cancellationToken)
    {
        await store.RebuildInstanceStatesAsync(instanceKeys, cancellationToken);
        if (instanceKeys.Count > 0) notices.Publish(CommitNotice.Of(CommitKinds.Classification, instanceKeys));
    }

    public async Task<RetentionBatch> DeleteExpiredAsync(RetentionCut cut, CancellationToken cancellationToken)
    {
        var batch = await store.DeleteExpiredAsync(cut, cancellationToken);
        if (batch.Deleted > 0) notices.Publish(CommitNotice.Of(CommitKinds.Retention, batch.InstanceKeys));
        return batch;
    }

    public Task ReleaseFreeSpaceAsync(CancellationToken cancellationToken) => store.ReleaseFreeSpaceAsync(cancellationToken);

    public Task<StorageFigures> StorageFiguresAsync(CancellationToken cancellationToken) => store.StorageFiguresAsync(cancellationToken);

    public Task SaveSourceOriginsAsync(IReadOnlyList<Features.SourceHealth.SourceOrigin> sightings, long hourAgo, CancellationToken cancellationToken) =>
        store.SaveSourceOriginsAsync(sightings, hourAgo, cancellationToken);

    public Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        store.FailuresPerHourAsync(since, cancellationToken);

    /// <summary>
    /// The new records (their id range, and themselves for this node) and the instances of new or updated ones; null when
    /// the write changed nothing (all duplicates).
    /// </summary>
    internal static CommitNotice? Written(IReadOnlyList<EventRecord> records, IReadOnlyList<StoredRecord> stored)
    {
        var added = new List<EventRecord>(records.Count);
        var touched = new List<string>(records.Count);
        var (from, highWater) = (long.MaxValue, 0L);
        for (var i = 0; i < records.Count; i++)
        {
            if (!stored[i].Duplicate)
            {
                added.Add(records[i]);
                (from, highWater) = (Math.Min(from, records[i].Id), Math.Max(highWater, records[i].Id));
            }
            else if (!stored[i].Updated) continue;
            touched.Add(records[i].InstanceKey);
        }
        if (touched.Count == 0) return null;
        if (added.Count == 0) from = 0;
        return CommitNotice.Of(CommitKinds.Records, touched, from, highWater) with { Records = added };
    }
}
