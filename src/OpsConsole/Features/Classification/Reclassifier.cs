using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;

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
    ILogger<Reclassifier> logger) : BackgroundService
{
    public const int BatchSize = 2000;

    private readonly SemaphoreSlim _running = new(1, 1);
    private volatile ReclassifyProgress _progress = new("idle", "", 0, 0, 0, null, null, null);

    public ReclassifyProgress Progress => _progress;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
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

    /// <summary>Reclassifies every record whose rule-set version is not the current one.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (!await _running.WaitAsync(0, cancellationToken)) return;
        var rules = classifier.Rules;
        try
        {
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var pending = await db.Records.LongCountAsync(r => r.RulesetVersion != rules.Version, cancellationToken);
            if (pending == 0)
            {
                _progress = _progress with { State = "idle", RulesetVersion = rules.Version, Pending = 0 };
                return;
            }

            var started = clock.GetUtcNow();
            long done = 0, changed = 0, lastId = 0;
            _progress = new ReclassifyProgress("running", rules.Version, pending, 0, 0, started, null, null);
            logger.LogInformation("Reclassifying {Pending} records with rule set {Version}", pending, rules.Version);
            while (true)
            {
                var batch = await db.Records.AsNoTracking()
                    .Where(r => r.Id > lastId && r.RulesetVersion != rules.Version && r.Format != Patterns.DerivedRecord.Format)
                    .OrderBy(r => r.Id).Take(BatchSize).ToListAsync(cancellationToken);
                if (batch.Count == 0) break;
                foreach (var record in batch)
                {
                    var before = record.Category;
                    IncidentClassifier.Apply(rules, record);
                    if (record.Category != before) changed++;
                }
                await store.UpdateClassificationAsync(batch, cancellationToken);
                done += batch.Count;
                lastId = batch[^1].Id;
                _progress = _progress with { Done = done, Changed = changed };
            }
            // Pattern records keep their category; they only take the new version.
            await db.Records.Where(r => r.Format == Patterns.DerivedRecord.Format && r.RulesetVersion != rules.Version)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.RulesetVersion, rules.Version), cancellationToken);
            await store.RebuildInstanceStatesAsync(cancellationToken);
            _progress = _progress with { State = "done", Done = done, Changed = changed, FinishedAt = clock.GetUtcNow() };
            logger.LogInformation("Reclassified {Done} records, {Changed} changed category", done, changed);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Reclassification failed");
            _progress = _progress with { State = "failed", Error = ex.Message, FinishedAt = clock.GetUtcNow() };
        }
        finally
        {
            _running.Release();
        }
    }

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
