using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>Stores the records the pattern detectors found, counts them and tells listeners; one place for all detectors.</summary>
public sealed class PatternRecordWriter(IRecordStore store, IRecordChangeFeed changes)
{
    /// <summary>Returns the records that were new (a pattern already on the timeline is not written twice).</summary>
    public async Task<IReadOnlyList<EventRecord>> WriteAsync(IReadOnlyList<EventRecord> patterns, CancellationToken cancellationToken)
    {
        if (patterns.Count == 0) return [];
        var stored = await store.WriteAsync(patterns, cancellationToken);
        var written = patterns.Where((_, i) => !stored[i].Duplicate).ToList();
        foreach (var pattern in written) OpsMetrics.DerivedRecords.WithLabels(pattern.Category).Inc();
        if (written.Count > 0) changes.Publish(written);
        return written;
    }
}
