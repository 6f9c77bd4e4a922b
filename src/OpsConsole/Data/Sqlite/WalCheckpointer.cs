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
/// until the ~1 GB auto-checkpoint ran inside a commit. So once the log is past
/// <see cref="SqliteConnectionFactory.LogRestartBytes"/>, a second pass folds the few frames committed meanwhile with
/// the writer held, and the next write restarts the log at the file's start. The file keeps its length (cutting it
/// back inside that commit stalled it for hundreds of milliseconds) until the idle truncation. The write connections
/// keep a high auto-checkpoint threshold and journal_size_limit as safety nets should this loop ever fall behind.
/// </summary>
public sealed class WalCheckpointer(SqliteConnectionFactory connections, SqliteRecordStore store, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    private long _lastFrames = -1;

    /// <summary>
    /// On a thread of its own, not the thread pool's: a checkpoint blocks in SQLite for as long as it copies pages (seconds
    /// with a large WAL on a busy disk). On the pool, this wait and a reclassification's one at once took both of a
    /// 2-core machine's threads, and the next ingest request waited in the queue until the pool added a thread.
    /// </summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.Factory.StartNew(() => Run(stoppingToken), stoppingToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Run(CancellationToken stoppingToken)
    {
        while (!stoppingToken.WaitHandle.WaitOne(Interval))
        {
            try
            {
                Checkpoint(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "WAL checkpoint failed; the auto-checkpoint threshold still bounds the WAL");
            }
        }
    }

    private void Checkpoint(CancellationToken cancellationToken)
    {
        using var connection = connections.Open();
        using var checkpoint = connection.CreateCommand();
        var started = Stopwatch.GetTimestamp();
        var (frames, folded) = connections.PassiveCheckpoint(checkpoint);
        // Frames still coming and the log past its limit: fold again with no transaction open, so the next one restarts the log.
        // Past twice the limit the writer is held even when no pass got short: on a busy disk two writers committed as fast
        // as a pass copied, so no pass ever got short and the log grew past 270 MB in a CI run without a restart.
        // The two reasons are labelled apart in the write-lock metrics, so a run shows how often the second one holds the writer.
        if (frames != _lastFrames && connections.LogBytes > SqliteConnectionFactory.LogRestartBytes
            && (CaughtUp(checkpoint, ref frames, ref folded) ? SqliteRecordStore.Operations.Checkpoint
                : connections.LogBytes > 2 * SqliteConnectionFactory.LogRestartBytes ? SqliteRecordStore.Operations.CheckpointPastLimit : null) is { } operation)
            (frames, folded) = SqliteRecordStore.BetweenWrites(operation, () => connections.PassiveCheckpoint(checkpoint), cancellationToken, YieldsToIngest);
        OpsMetrics.StoreCheckpoint.WithLabels("background").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        var idle = frames > 0 && frames == folded && frames == _lastFrames;
        _lastFrames = frames;
        if (!idle) return;
        // Idle: on the writer's connection, so its page cache outlives the truncation (see SqliteRecordStore.TruncateLog).
        started = Stopwatch.GetTimestamp();
        if (store.TruncateLog(cancellationToken)) _lastFrames = 0;
        OpsMetrics.StoreCheckpoint.WithLabels("truncate").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>What a pass without the writer may take at most before the pass with it: that one folds about as much.</summary>
    internal static readonly TimeSpan ShortPass = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How many times the pass that holds the writer lets ingest requests that queued behind it go first. During a
    /// reclassification the checkpointer often queued behind a slice, a request behind it, and that request waited for
    /// the slice and the whole pass. Bounded, so the log still restarts while requests keep coming.
    /// </summary>
    internal const int YieldsToIngest = 3;

    /// <summary>Passes without the writer before this second's attempt to restart the log is given up.</summary>
    private const int CatchUpPasses = 4;

    /// <summary>
    /// Folds what was committed during the last pass, again without the writer, until a pass is short: the pass that
    /// holds the writer then has only a short pass's worth of new frames to copy. Holding it right after a long pass
    /// (a reclassification commits megabytes a second) copied everything committed meanwhile with ingestion queued:
    /// 20 of 237 such holds took over 100 ms, one over 500 ms. False when no pass got short (the next second tries again; past twice the limit the writer is held anyway).
    /// </summary>
    private bool CaughtUp(Microsoft.Data.Sqlite.SqliteCommand checkpoint, ref long frames, ref long folded)
    {
        for (var pass = 0; pass < CatchUpPasses; pass++)
        {
            var started = Stopwatch.GetTimestamp();
            (frames, folded) = connections.PassiveCheckpoint(checkpoint);
            if (Stopwatch.GetElapsedTime(started) < ShortPass) return true;
        }
        return false;
    }
}
