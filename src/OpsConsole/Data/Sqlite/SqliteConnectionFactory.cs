using Microsoft.Data.Sqlite;

namespace OpsConsole.Data.Sqlite;

/// <summary>Opens connections for the raw write path with the pragmas the write path relies on.</summary>
public sealed class SqliteConnectionFactory(string connectionString, long maxPageCount = 0, int cacheSizeMb = DatabaseOptions.DefaultCacheSizeMb,
    int writerCacheSizeMb = DatabaseOptions.DefaultWriterCacheSizeMb)
{
    /// <summary>The log's length past which <see cref="WalCheckpointer"/> folds it and has it restarted from the file's start.</summary>
    public const long LogRestartBytes = 64L * 1024 * 1024;

    /// <summary>
    /// journal_size_limit: only a WAL file grown past this (the checkpointer fell behind) is cut back, in the commit that
    /// restarts the log. At 64 MB every restart cut the file back from the 70-130 MB it had reached, and the ftruncate
    /// ran inside the committing transaction with the writer held: 275-281 ms each (perf trace of the 1 M-record
    /// reclassification; this machine's ext4 is mounted with online discard, so freeing the blocks waits for the disk).
    /// The file is reused in place instead and cut to zero bytes when ingestion goes idle (<see cref="WalCheckpointer"/>).
    /// </summary>
    public const long JournalSizeLimitBytes = 4 * LogRestartBytes;

    private long _logBytes;
    private long _frameBytes;

    public string ConnectionString { get; } = connectionString;

    /// <summary>Page cache per connection (a negative cache_size is KiB): random-key index pages of a large file must stay in memory.</summary>
    public string CachePragma { get; } = $"PRAGMA cache_size = -{cacheSizeMb * 1024L};";

    /// <summary>
    /// The single writer connection's page cache (Database:WriterCacheSizeMb), set after <see cref="CachePragma"/>: every
    /// ingested record updates an index keyed by a random hash (the dedupe key) and indexes placed by instance, so the
    /// writer's working set grows with the records stored, not with the request; what does not fit is read again from
    /// outside SQLite. SQLite takes cache pages as it uses them, so a small store never fills a large limit.
    /// </summary>
    public string WriterCachePragma => $"PRAGMA cache_size = -{WriterCacheBytes / 1024};";

    /// <summary>The writer's page cache limit in bytes (Database:WriterCacheSizeMb, at least the readers' one).</summary>
    public long WriterCacheBytes { get; } = Math.Max(writerCacheSizeMb, cacheSizeMb) * 1024L * 1024;

    /// <summary>How long a connection waits for SQLite's own locks (the console queues its writers before that).</summary>
    public const int BusyTimeoutMs = 10_000;

    /// <summary>The database file and its WAL, in bytes (0 for an in-memory database or a file not created yet).</summary>
    public long BytesOnDisk() => Bytes("") + WalBytes();

    /// <summary>The WAL file's length: its largest since the last idle truncation (a restarted log is rewritten from the file's start).</summary>
    public long WalBytes() => Bytes("-wal");

    /// <summary>
    /// The log's own length (frames since its last restart), as the latest checkpoint found it: the file's length says
    /// nothing once a restarted log is rewritten inside it. Zero until a checkpoint has run.
    /// </summary>
    public long LogBytes => Interlocked.Read(ref _logBytes);

    /// <summary>A PASSIVE checkpoint on <paramref name="command"/>'s connection: the frames in the log and how many are folded into the database file (recorded as <see cref="LogBytes"/>).</summary>
    public (long Frames, long Folded) PassiveCheckpoint(SqliteCommand command)
    {
        if (Interlocked.Read(ref _frameBytes) == 0)
        {
            command.CommandText = "PRAGMA page_size;";
            // Each frame is a page and its 24-byte header.
            Interlocked.Exchange(ref _frameBytes, Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) + 24);
        }
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        using var reader = command.ExecuteReader();
        var (frames, folded) = reader.Read() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
        // -1: the database is not in WAL mode (an in-memory one); nothing to record.
        if (frames >= 0) Interlocked.Exchange(ref _logBytes, frames * Interlocked.Read(ref _frameBytes));
        return (frames, folded);
    }

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
        // should that loop stop. journal_size_limit cuts back only a WAL file that outgrew the checkpointer (see JournalSizeLimitBytes).
        pragma.CommandText = $"PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = {BusyTimeoutMs}; PRAGMA wal_autocheckpoint = 250000; " +
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
