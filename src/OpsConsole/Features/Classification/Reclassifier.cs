using System.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Cluster;

namespace OpsConsole.Features.Classification;

public sealed record ReclassifyProgress(string State, string RulesetVersion, long Pending, long Done, long Changed, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt, string? Error);

/// <summary>
/// Keeps history in line with today's rules: when the effective rule set changes (a rules file edited, the
/// app upgraded), stored records classified by another version are reclassified in batches and the
/// instance states rebuilt. Runs at start-up, when the rule files change, and on POST /api/v1/reclassify.
/// </summary>
public sealed class Reclassifier(
    IDbContextFactory<OpsDbContext> databases,
    IRecordStore store,
    IncidentClassifier classifier,
    IOptionsMonitor<ClassificationOptions> options,
    TimeProvider clock,
    IClusterLease lease,
    ILogger<Reclassifier> logger) : LeaderOnlyService(lease, logger)
{
    protected override string Job => "reclassifier";

    /// <summary>Records per reclassification transaction: small enough that ingestion queued behind one waits briefly.</summary>
    public const int BatchSize = 500;

    /// <summary>
    /// Instances with changed records that a run collects before it rebuilds their states and forgets them. Collected for
    /// the whole run, a 10 M-record store's changed instances were hundreds of thousands of keys kept alive for half an
    /// hour, in a set whose growing arrays went to the large-object heap: the collections that brought paused ingestion
    /// for up to 0.9 s. An instance whose records change again after its rebuild is collected (and rebuilt) again.
    /// </summary>
    public const int MaxPendingRebuilds = 10_000;

    private readonly SemaphoreSlim _running = new(1, 1);
    private volatile ReclassifyProgress _progress = new("idle", "", 0, 0, 0, null, null, null);

    public ReclassifyProgress Progress => _progress;

    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        await RunAsync(stoppingToken);
        using var timer = new PeriodicTimer(options.CurrentValue.DetectorInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (ReloadRules()) await RunAsync(stoppingToken);
        }
    }

    /// <summary>Starts a run in the background unless one is going; returns the progress at once.</summary>
    public ReclassifyProgress Start()
    {
        ReloadRules();
        if (_running.CurrentCount > 0) _ = Task.Run(() => RunAsync(CancellationToken.None));
        return _progress;
    }

    /// <summary>
    /// Reclassifies every record whose rule-set version is not the current one. The versions in the store and the
    /// records of each are found through the (RulesetVersion, Id) index: nothing pending costs a few seeks, not a count of history.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!await _running.WaitAsync(0, cancellationToken)) return;
        var rules = classifier.Rules;
        GCLatencyMode? latency = null;
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var stale = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var version = await NextVersionQuery(db, after: null).FirstOrDefaultAsync(cancellationToken); version is not null;
                 version = await NextVersionQuery(db, version).FirstOrDefaultAsync(cancellationToken))
            {
                if (version != rules.Version) stale[version] = await db.Records.LongCountAsync(r => r.RulesetVersion == version, cancellationToken);
            }
            var pending = stale.Values.Sum();
            if (pending == 0)
            {
                _progress = _progress with { State = "idle", RulesetVersion = rules.Version, Pending = 0 };
                return;
            }

            // While it runs beside ingestion, full collections are background ones unless memory runs low: at 10 M records
            // blocking ones during a run paused every ingest request for about 0.9 s each.
            latency = GCSettings.LatencyMode;
            GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
            var started = clock.GetUtcNow();
            long done = 0, changed = 0, rebuilt = 0;
            var changedInstances = new HashSet<string>(StringComparer.Ordinal);
            _progress = new ReclassifyProgress("running", rules.Version, pending, 0, 0, started, null, null);
            logger.LogInformation("Reclassifying {Pending} records with rule set {Version}", pending, rules.Version);
            foreach (var version in stale.Keys)
            {
                long lastId = 0;
                while (true)
                {
                    var batch = await BatchQuery(db, version, lastId).ToListAsync(cancellationToken);
                    if (batch.Count == 0) break;
                    foreach (var record in batch)
                    {
                        // Pattern records keep their category; they only take the new version.
                        if (record.Format == Patterns.DerivedRecord.Format)
                        {
                            record.RulesetVersion = rules.Version;
                            continue;
                        }
                        var before = record.Category;
                        IncidentClassifier.Apply(rules, record);
                        if (record.Category != before) changed++;
                    }
                    changedInstances.UnionWith(await store.UpdateClassificationAsync(batch, cancellationToken));
                    if (changedInstances.Count >= MaxPendingRebuilds) rebuilt += await RebuildAsync(changedInstances, cancellationToken);
                    done += batch.Count;
                    lastId = batch[^1].Id;
                    _progress = _progress with { Done = done, Changed = changed };
                }
            }
            rebuilt += await RebuildAsync(changedInstances, cancellationToken);
            _progress = _progress with { State = "done", Done = done, Changed = changed, FinishedAt = clock.GetUtcNow() };
            logger.LogInformation("Reclassified {Done} records, {Changed} changed category, {Instances} instance states rebuilt",
                done, changed, rebuilt);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Reclassification failed");
            _progress = _progress with { State = "failed", Error = ex.Message, FinishedAt = clock.GetUtcNow() };
        }
        finally
        {
            if (latency is { } mode) GCSettings.LatencyMode = mode;
            _running.Release();
        }
    }

    /// <summary>Rebuilds the states of <paramref name="instances"/> and empties the set (its arrays stay for the next ones); returns how many.</summary>
    private async Task<int> RebuildAsync(HashSet<string> instances, CancellationToken cancellationToken)
    {
        var count = instances.Count;
        if (count == 0) return 0;
        await store.RebuildInstanceStatesAsync(instances, cancellationToken);
        instances.Clear();
        return count;
    }

    /// <summary>The next rule-set version in the store after <paramref name="after"/>: one index seek (a loose scan of versions).</summary>
    internal static IQueryable<string> NextVersionQuery(OpsDbContext db, string? after)
    {
        var versions = db.Records.AsNoTracking().Select(r => r.RulesetVersion);
        if (after is not null) versions = versions.Where(v => string.Compare(v, after) > 0);
        return versions.OrderBy(v => v).Take(1);
    }

    /// <summary>
    /// The next records of one old version, in id order, from the (RulesetVersion, Id) index: only the fields the rules
    /// read and the store's update writes. The raw payload and the identity are most of a row's bytes; materialised for
    /// a million records they were most of what the run allocated, and its collections paused ingestion with it. The
    /// received time goes back with the id: together they find the row to update in one day partition on PostgreSQL. A field
    /// added to <see cref="Vocabulary.RecordFields"/> must be added here too (ReclassifierBatchTests fails until it is).
    /// </summary>
    internal static IQueryable<Records.EventRecord> BatchQuery(OpsDbContext db, string version, long afterId) =>
        db.Records.AsNoTracking().Where(r => r.RulesetVersion == version && r.Id > afterId).OrderBy(r => r.Id).Take(BatchSize)
            .Select(r => new Records.EventRecord
            {
                Id = r.Id, Kind = r.Kind, Source = r.Source, Format = r.Format, Entry = r.Entry, InstanceKey = r.InstanceKey,
                State = r.State, ExitCode = r.ExitCode, Signal = r.Signal, Reason = r.Reason, Message = r.Message,
                ErrorCode = r.ErrorCode, HttpCode = r.HttpCode, Stage = r.Stage, Hints = r.Hints,
                Category = r.Category, Severity = r.Severity, RuleId = r.RuleId, Evidence = r.Evidence,
                RulesetVersion = r.RulesetVersion, IsFailure = r.IsFailure, ReceivedAt = r.ReceivedAt,
                InstanceName = "", DedupeKey = "", RawJson = "",
            });

    /// <summary>Re-reads the rule files; an invalid edit is logged and the current rules stay in force.</summary>
    private bool ReloadRules()
    {
        try
        {
            return classifier.Reload();
        }
        catch (Exception ex) when (ex is RuleValidationException or IOException or UnauthorizedAccessException)
        {
            logger.LogError("The edited rules were not loaded and the current rules stay in force: {Problem}", ex.Message);
            _progress = _progress with { Error = ex.Message };
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A loader bug must not stop the host from a background loop; the rules in force stay.
            logger.LogError(ex, "The edited rules were not loaded and the current rules stay in force");
            _progress = _progress with { Error = ex.Message };
            return false;
        }
    }
}
