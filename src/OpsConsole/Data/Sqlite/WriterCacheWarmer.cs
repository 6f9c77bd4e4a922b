using System.Diagnostics;
using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Once the console has started, reads the writer's hot index pages into its page cache in the background
/// (<see cref="SqliteRecordStore.WarmWriterCacheAsync"/>): start-up never waits for it, and ingestion goes ahead of it.
/// </summary>
public sealed class WriterCacheWarmer(SqliteRecordStore store, IHostApplicationLifetime lifetime, ILogger<WriterCacheWarmer> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await lifetime.WaitForStartAsync(stoppingToken)) return;

        var watch = Stopwatch.StartNew();
        try
        {
            var bytes = await store.WarmWriterCacheAsync(stoppingToken);
            OpsMetrics.WriterCacheWarmed.Set(watch.Elapsed.TotalSeconds);
            logger.LogInformation("Writer cache warmed: {Megabytes} MB of index pages in {Seconds:F1} s", bytes / 1_048_576, watch.Elapsed.TotalSeconds);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Only a slower first ingest at size: the pages are then read as records need them.
            logger.LogWarning(ex, "Warming the writer cache failed; ingestion reads the index pages as it needs them");
        }
    }
}
