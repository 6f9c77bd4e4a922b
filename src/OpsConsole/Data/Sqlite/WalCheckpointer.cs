using System.Diagnostics;
using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Folds the WAL back into the database file every second on a background thread (PASSIVE: it never waits
/// for readers or the writer), so ingestion commits do not pay for checkpoints. Once a second goes by with no
/// new frames and everything folded, a TRUNCATE checkpoint cuts the file to zero bytes: a busy spell must not
/// leave gigabytes of WAL behind. SQLite restarts the log only in a write transaction that began with every committed
/// frame folded; under sustained ingest a transaction is always open while the pass copies, and it commits new frames
/// before the next one begins, so the log never restarted: it grew by ~5 kB per record (0.28 GB after 60 k records)
/// until the ~1 GB auto-checkpoint ran inside a commit. So once the file is past journal_size_limit, a second pass
/// folds the few frames committed meanwhile with the writer held, and the next write restarts the log at its start
/// (and cuts the file back to the limit). The write connections keep a high auto-checkpoint threshold and
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
        var started = Stopwatch.GetTimestamp();
        var (frames, folded) = await PassiveAsync(checkpoint, cancellationToken);
        // Frames still coming and the file past its limit: fold again with no transaction open, so the next one restarts the log.
        if (frames != _lastFrames && connections.WalBytes() > SqliteConnectionFactory.JournalSizeLimitBytes)
        {
            (frames, folded) = await SqliteRecordStore.BetweenWritesAsync(SqliteRecordStore.Operations.Checkpoint,
                () => PassiveAsync(checkpoint, cancellationToken), cancellationToken);
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

    /// <summary>A PASSIVE checkpoint: the frames in the log and how many of them are folded into the database file.</summary>
    private static async Task<(long Frames, long Folded)> PassiveAsync(Microsoft.Data.Sqlite.SqliteCommand checkpoint, CancellationToken cancellationToken)
    {
        checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await using var reader = await checkpoint.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }
}
