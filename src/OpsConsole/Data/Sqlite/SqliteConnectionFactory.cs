using Microsoft.Data.Sqlite;

namespace OpsConsole.Data.Sqlite;

/// <summary>Opens connections for the raw write path with the pragmas the write path relies on.</summary>
public sealed class SqliteConnectionFactory(string connectionString, long maxPageCount = 0, int cacheSizeMb = DatabaseOptions.DefaultCacheSizeMb)
{
    /// <summary>What a WAL left behind after a checkpoint is cut back to (it is reused rather than grown while the console runs).</summary>
    public const long JournalSizeLimitBytes = 64L * 1024 * 1024;

    public string ConnectionString { get; } = connectionString;

    /// <summary>Page cache per connection (a negative cache_size is KiB): random-key index pages of a large file must stay in memory.</summary>
    public string CachePragma { get; } = $"PRAGMA cache_size = -{cacheSizeMb * 1024L};";

    /// <summary>The database file and its WAL, in bytes (0 for an in-memory database or a file not created yet).</summary>
    public long BytesOnDisk() => Bytes("") + WalBytes();

    /// <summary>The WAL file's length: it only shrinks (to <see cref="JournalSizeLimitBytes"/>) when a writer restarts the log.</summary>
    public long WalBytes() => Bytes("-wal");

    private long Bytes(string suffix)
    {
        var file = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:") return 0;
        var info = new FileInfo(file + suffix);
        return info.Exists ? info.Length : 0;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // WAL is persistent in the file (set at migration); synchronous=NORMAL in WAL mode survives a process
        // crash (only power loss can drop the last commits) and avoids an fsync per request. Checkpoints run in
        // WalCheckpointer, off the request path: an automatic one runs inside the commit that crosses the threshold
        // and, on a large file, stalled an ingest request for seconds; 250000 pages (~1 GB) is only the safety net
        // should that loop stop. journal_size_limit truncates the WAL back after each checkpoint that resets it.
        pragma.CommandText = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA wal_autocheckpoint = 250000; " +
                             $"PRAGMA journal_size_limit = {JournalSizeLimitBytes}; {CachePragma}";
        if (maxPageCount > 0) pragma.CommandText += $" PRAGMA max_page_count = {maxPageCount};";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>Opens on the calling thread, for code on a thread of its own (Microsoft.Data.Sqlite completes its async opens synchronously anyway).</summary>
    public SqliteConnection Open() => OpenAsync(CancellationToken.None).GetAwaiter().GetResult();

    /// <summary>A small committed write that allocates pages: whether the file can take writes again (see <see cref="StorageHealth"/>).</summary>
    public async Task ProbeWriteAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var probe = connection.CreateCommand();
        probe.CommandText = """
            BEGIN IMMEDIATE;
            CREATE TABLE IF NOT EXISTS storage_probe (Data BLOB);
            INSERT INTO storage_probe VALUES (zeroblob(65536));
            DELETE FROM storage_probe;
            COMMIT;
            """;
        await probe.ExecuteNonQueryAsync(cancellationToken);
    }
}
