using System.Diagnostics;
using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Once the console has started, reads the pages the next ingested records write into the writer's page cache in the
/// background (<see cref="SqliteRecordStore.WarmWriterCacheAsync"/>): start-up never waits for it, and ingestion goes ahead of it.
/// </summary>
public sealed class WriterCacheWarmer(SqliteRecordStore store, IHostApplicationLifetime lifetime, ILogger<WriterCacheWarmer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await lifetime.WaitForStartAsync(stoppingToken)) return;

        var watch = Stopwatch.StartNew();
        try
        {
            var warmed = await store.WarmWriterCacheAsync(stoppingToken);
            OpsMetrics.WriterCacheWarmed.Set(watch.Elapsed.TotalSeconds);
            logger.LogInformation("Writer cache warmed: {Megabytes} MB, the pages of the {Instances} instances that sent the newest {Records} records, in {Seconds:F1} s",
                warmed.Bytes / 1_048_576, warmed.Instances, warmed.RecordsRead, watch.Elapsed.TotalSeconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a slower first ingest at size: the pages are then read as records need them.
            logger.LogWarning(ex, "Warming the writer cache failed; ingestion reads the pages as it needs them");
        }
    }
}
