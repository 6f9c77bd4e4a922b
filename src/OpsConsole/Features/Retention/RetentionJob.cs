using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Cluster;

namespace OpsConsole.Features.Retention;

/// <summary>What one retention run did.</summary>
public readonly record struct RetentionRun(long Deleted, long Kept);

/// <summary>
/// Every <c>Retention:Interval</c>, removes records past <c>Retention:MaxAge</c> and beyond <c>Retention:MaxRecords</c>,
/// oldest received first, one short transaction at a time so ingestion waits for at most one of them; then gives the
/// space back where the store can. What still explains a current failure stays (see <see cref="IRecordStore.DeleteExpiredAsync"/>).
/// The store announces each batch's deletes to open pages (on every node). One node of a cluster runs it at a time.
/// </summary>
public sealed class RetentionJob(IRecordStore store, StorageMetrics metrics, IOptionsMonitor<RetentionOptions> options,
    TimeProvider clock, IClusterLease lease, ILogger<RetentionJob> logger) : LeaderOnlyService(lease, logger)
{
    protected override string Job => "retention";

    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        // The first check waits one interval: a restart loop must not turn into a delete loop, and start-up stays light.
        while (true)
        {
            await Task.Delay(options.CurrentValue.Interval, clock, stoppingToken);
            try
            {
                await RunAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Retention failed; retrying on the next interval");
            }
        }
    }

    public async Task<RetentionRun> RunAsync(CancellationToken cancellationToken)
    {
        var limits = options.CurrentValue;
        var stored = (await store.StorageFiguresAsync(cancellationToken)).Records;
        var excess = limits.MaxRecords is { } max ? Math.Max(0, stored - max) : 0;
        RetentionCut? cut = new RetentionCut(clock.GetUtcNow() - limits.MaxAge, excess);
        var run = new RetentionRun();
        while (cut is { } next)
        {
            var batch = await store.DeleteExpiredAsync(next, cancellationToken);
            run = new RetentionRun(run.Deleted + batch.Deleted, run.Kept + batch.Kept);
            metrics.CountDeleted(batch.Deleted);
            cut = batch.Next;
        }
        if (run.Deleted == 0) return run;
        await store.ReleaseFreeSpaceAsync(cancellationToken);
        logger.LogInformation("Retention deleted {Deleted} records (older than {MaxAge} or over {MaxRecords}); kept {Kept} that explain a current state",
            run.Deleted, limits.MaxAge, limits.MaxRecords, run.Kept);
        return run;
    }
}
