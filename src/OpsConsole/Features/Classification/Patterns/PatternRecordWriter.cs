using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>Stores the records the pattern detectors found and counts them (the store announces them); one place for all detectors.</summary>
public sealed class PatternRecordWriter(IRecordStore store)
{
    /// <summary>Returns the records that were new (a pattern already on the timeline is not written twice).</summary>
    public async Task<IReadOnlyList<EventRecord>> WriteAsync(IReadOnlyList<EventRecord> patterns, CancellationToken cancellationToken)
    {
        if (patterns.Count == 0) return [];
        var stored = await store.WriteAsync(patterns, cancellationToken);
        var written = patterns.Where((_, i) => !stored[i].Duplicate).ToList();
        foreach (var pattern in written) OpsMetrics.DerivedRecords.WithLabels(pattern.Category).Inc();
        return written;
    }
}
