using OpsConsole.Features.Records;

namespace OpsConsole.Data;

/// <summary>What happened to one record on write.</summary>
public readonly record struct StoredRecord(long Id, bool Duplicate, bool Updated);

/// <summary>
/// One sighting of a sender for the Sources page: an instance and when it was seen; <c>Counted</c> when it is a
/// record received in the window (it counts toward the hour), not just an instance's last-seen time.
/// </summary>
public readonly record struct SenderSighting(string Source, string Kind, string InstanceKey, string? Identity, DateTimeOffset At, bool Counted);

/// <summary>
/// The SQL side of the records: the ingestion write path, all records of a request in one transaction, the instance-state table
/// updated in the same transaction. Once it returns, the records are committed.
/// </summary>
public interface IRecordStore
{
    Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken);

    /// <summary>
    /// Rewrites the classification of stored records (reclassification after a rule change) and the counters with it;
    /// gives the instances whose records now say something else (category, severity or failure).
    /// </summary>
    Task<IReadOnlySet<string>> UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken);

    /// <summary>Recomputes these instances' current states from their records, in short transactions that let ingestion in between.</summary>
    Task RebuildInstanceStatesAsync(IReadOnlyCollection<string> instanceKeys, CancellationToken cancellationToken);

    /// <summary>Failures received per hour (unix hour → count) since <paramref name="since"/>, from the counter table, to prime in-memory trends.</summary>
    Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>
    /// Every instance's last-seen time (by the source's own clock), then the records received since
    /// <paramref name="since"/> (the newest, up to a bound), to prime the per-sender activity.
    /// </summary>
    Task<IReadOnlyList<SenderSighting>> SendersAsync(DateTimeOffset since, CancellationToken cancellationToken);
}
