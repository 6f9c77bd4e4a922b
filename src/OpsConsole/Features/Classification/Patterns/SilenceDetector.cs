using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Cluster;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Failures that show only as silence, checked on a timer: each source profile with a silence check says
/// which newest records mean "still going" and what their silence means (an Aos instance stuck activating,
/// a Nova server stuck in BUILD, a MAAS node whose commissioning went quiet).
/// </summary>
public sealed class SilenceDetector(
    IDbContextFactory<OpsDbContext> databases,
    PatternRecordWriter patterns,
    IncidentClassifier classifier,
    IOptionsMonitor<ClassificationOptions> options,
    TimeProvider clock,
    IClusterLease lease,
    ILogger<SilenceDetector> logger) : LeaderOnlyService(lease, logger)
{
    protected override string Job => "silence-detector";

    public const string StalledRule = "pattern-silence";

    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.DetectorInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The silence detectors failed; they run again at the next tick");
            }
        }
    }

    /// <summary>One pass of every source's silence check; returns the pattern records written.</summary>
    public async Task<IReadOnlyList<EventRecord>> RunOnceAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var context = new SilenceContext(db, options.CurrentValue, clock.GetUtcNow(), classifier.Rules.Version, StalledRule);
        var found = new List<EventRecord>();

        foreach (var profile in SourceProfiles.All)
        {
            if (profile.Silence is not { } silence) continue;
            var quiet = await NewestOfQuietQuery(db, profile.Source).Where(silence.StillGoing).ToListAsync(cancellationToken);
            foreach (var last in quiet)
            {
                // Silence is measured from when the last record was received.
                if (await silence.CheckAsync(context, last, context.Now - last.ReceivedAt, cancellationToken) is { } record) found.Add(record);
            }
        }

        return await patterns.WriteAsync(found, cancellationToken);
    }

    /// <summary>
    /// The newest record of each instance of <paramref name="source"/> that is not failing now (the caller keeps the
    /// "still going" ones). Found from the instances' side through their (Source) index of quiet rows, then
    /// each record by id: joined the other way, a source with no such instance (a fleet with no Aos units) still made
    /// PostgreSQL scan every record of every day partition, on every tick. Its plan is tested.
    /// </summary>
    internal static IQueryable<EventRecord> NewestOfQuietQuery(OpsDbContext db, string source) =>
        from s in db.InstanceStates.AsNoTracking()
        where !s.IsFailing && s.Source == source
        join r in db.Records.AsNoTracking() on s.LastRecordId equals r.Id
        where r.Source == source
        select r;
}
