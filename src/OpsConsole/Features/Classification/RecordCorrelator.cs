using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Finds facts that only other records show and writes them as hints the rules can match, before
/// classification. Each source profile brings its own correlation (Docker's OOM before a kill, MAAS's boot
/// with no report back); this runs them in registration order.
/// </summary>
public sealed class RecordCorrelator(IDbContextFactory<OpsDbContext> databases, TimeProvider clock)
{
    private readonly IReadOnlyList<IRecordCorrelation> _correlations =
        SourceProfiles.All.Select(p => p.CreateCorrelation(databases, clock)).OfType<IRecordCorrelation>().ToList();

    public async Task AnnotateAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        foreach (var correlation in _correlations) await correlation.AnnotateAsync(records, cancellationToken);
    }

    /// <summary>Loads what correlations remember from the store (a bounded window); run at start-up by <see cref="CorrelationPriming"/>.</summary>
    public Task PrimeAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_correlations.Select(c => c.PrimeAsync(cancellationToken)));

    /// <summary>Lets correlations that remember recent records see a committed batch.</summary>
    public void Remember(IReadOnlyList<EventRecord> committed)
    {
        foreach (var correlation in _correlations) correlation.Remember(committed);
    }
}
