namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Folds the WAL back into the database file every second on a background thread (PASSIVE: it never waits
/// for readers or the writer), so ingestion commits do not pay for checkpoints. The write connections keep
/// a high auto-checkpoint threshold as a safety net should this loop ever fall behind.
/// </summary>
public sealed class WalCheckpointer(SqliteConnectionFactory connections, ILogger<WalCheckpointer> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var connection = await connections.OpenAsync(stoppingToken);
                await using var checkpoint = connection.CreateCommand();
                checkpoint.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
                await checkpoint.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "WAL checkpoint failed; the auto-checkpoint threshold still bounds the WAL");
            }
        }
    }
}
