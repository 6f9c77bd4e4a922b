using Microsoft.Data.Sqlite;

namespace OpsConsole.Data.Sqlite;

/// <summary>Opens connections for the raw write path with the pragmas the write path relies on.</summary>
public sealed class SqliteConnectionFactory(string connectionString, long maxPageCount = 0)
{
    public string ConnectionString { get; } = connectionString;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // WAL is persistent in the file (set at migration); synchronous=NORMAL in WAL mode survives a process
        // crash (only power loss can drop the last commits) and avoids an fsync per request. Checkpoints run in
        // WalCheckpointer; 20000 pages (~80 MB) is only the safety net.
        pragma.CommandText = "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = 20000;";
        if (maxPageCount > 0) pragma.CommandText += $" PRAGMA max_page_count = {maxPageCount};";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }
}
