using OpsConsole.Features.Records;

namespace OpsConsole.Features.Ingestion;

/// <summary>What happened to one record on write.</summary>
public readonly record struct StoredRecord(long Id, bool Duplicate, bool Updated);

/// <summary>
/// The ingestion write path: all records of a request in one transaction, the instance-state table
/// updated in the same transaction. Once it returns, the records are committed.
/// </summary>
public interface IRecordStore
{
    Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken);

    /// <summary>Rewrites the classification of stored records (reclassification after a rule change).</summary>
    Task UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken);

    /// <summary>Recomputes every instance's current state from its records (after reclassification).</summary>
    Task RebuildInstanceStatesAsync(CancellationToken cancellationToken);
}
