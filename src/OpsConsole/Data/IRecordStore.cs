using OpsConsole.Features.Records;
using OpsConsole.Features.SourceHealth;

namespace OpsConsole.Data;

/// <summary>What happened to one record on write.</summary>
public readonly record struct StoredRecord(long Id, bool Duplicate, bool Updated);

/// <summary>
/// Where a retention run stands: records received before <paramref name="Cutoff"/> go, and past it the oldest
/// <paramref name="Excess"/> more (the records over <c>Retention:MaxRecords</c>); <paramref name="AfterReceivedAt"/> and
/// <paramref name="AfterId"/> are the last record looked at (unix ms, id), so kept records are not read again.
/// </summary>
public readonly record struct RetentionCut(DateTimeOffset Cutoff, long Excess, long AfterReceivedAt = long.MinValue, long AfterId = long.MinValue);

/// <summary>One retention transaction: records deleted and kept, the instances that lost records, and where to go on (null: done).</summary>
public sealed record RetentionBatch(int Deleted, int Kept, IReadOnlySet<string> InstanceKeys, RetentionCut? Next);

/// <summary>What the store holds, read cheaply (counter rows, one index end, file sizes): for /metrics and the Sources page.</summary>
public readonly record struct StorageFigures(long Records, DateTimeOffset? OldestReceivedAt, long BytesOnDisk);

/// <summary>
/// The SQL side of the records: the ingestion write path, all records of a request in one transaction, the instance-state table
/// updated in the same transaction. Once it returns, the records are committed.
/// </summary>
public interface IRecordStore
{
    Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// Rewrites the classification of stored records (reclassification after a rule change) and the counters with it;
    /// gives the instances whose records now say something else (category, severity or failure). Each record's id and
    /// received time find its row (PostgreSQL looks in the received day's partition only).
    /// </summary>
    Task<IReadOnlySet<string>> UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken);

    /// <summary>Recomputes these instances' current states from their records, in short transactions that let ingestion in between.</summary>
    Task RebuildInstanceStatesAsync(IReadOnlyCollection<string> instanceKeys, CancellationToken cancellationToken);

    /// <summary>Failures received per hour (unix hour → count) since <paramref name="since"/>, from the counter table, to prime in-memory trends.</summary>
    Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Deletes, in one short transaction, the next records past <paramref name="cut"/> by received time, oldest first,
    /// with the counters; keeps each instance's current record and what it was derived from, and the records a failing
    /// instance's runbook progress points at.
    /// </summary>
    Task<RetentionBatch> DeleteExpiredAsync(RetentionCut cut, CancellationToken cancellationToken);

    /// <summary>Gives the space freed by deletes back to the file system where the store can (SQLite: incremental vacuum, in slices).</summary>
    Task ReleaseFreeSpaceAsync(CancellationToken cancellationToken);

    Task<StorageFigures> StorageFiguresAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Saves senders' sightings (<see cref="SourceActivity"/>), each merged into its stored row
    /// (<see cref="SourceOrigin.MergedInto"/>, minutes up to <paramref name="hourAgo"/> dropped), in one short write
    /// transaction taken like an ingest request's: a save beside the write path would hold the database's write lock
    /// outside the store's queue and stall the ingest transaction that meets it.
    /// </summary>
    Task SaveSourceOriginsAsync(IReadOnlyList<SourceOrigin> sightings, long hourAgo, CancellationToken cancellationToken);
}
