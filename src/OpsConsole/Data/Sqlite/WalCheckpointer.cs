using System.Diagnostics;
using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Folds the WAL back into the database file every second on a background thread (PASSIVE: it never waits
/// for readers or the writer), so ingestion commits do not pay for checkpoints. Once a second goes by with no
/// new frames and everything folded, a TRUNCATE checkpoint cuts the file to zero bytes: a busy spell must not
/// leave gigabytes of WAL behind. The write connections keep a high auto-checkpoint threshold and
/// journal_size_limit as safety nets should this loop ever fall behind.
/// </summary>
public sealed class WalCheckpointer(SqliteConnectionFactory connections, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _lastFrames = -1;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await CheckpointAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "WAL checkpoint failed; the auto-checkpoint threshold still bounds the WAL");
            }
        }
    }

    private async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var checkpoint = connection.CreateCommand();
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        long frames, folded;
        var started = Stopwatch.GetTimestamp();
        await using (var reader = await checkpoint.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken)) return;
            (frames, folded) = (reader.GetInt64(1), reader.GetInt64(2));
        }
        OpsMetrics.StoreCheckpoint.WithLabels("background").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var idle = frames > 0 && frames == folded && frames == _lastFrames;
        _lastFrames = frames;
        if (!idle) return;
        // Idle: nothing to wait for but a reader finishing; a short busy timeout keeps the writer from queueing behind it.
        checkpoint.CommandText = "PRAGMA busy_timeout = 100; PRAGMA wal_checkpoint(TRUNCATE);";
        started = Stopwatch.GetTimestamp();
        await checkpoint.ExecuteNonQueryAsync(cancellationToken);
        OpsMetrics.StoreCheckpoint.WithLabels("truncate").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        _lastFrames = 0;
    }
}
