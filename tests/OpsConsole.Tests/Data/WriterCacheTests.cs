using OpsConsole.Data.Sqlite;

namespace OpsConsole.Tests.Data;

/// <summary>The single writer keeps a page cache of its own size (Database:WriterCacheSizeMb); every other connection keeps Database:CacheSizeMb.</summary>
public sealed class WriterCacheTests
{
    private static async Task<long> CacheSizeAsync(Microsoft.Data.Sqlite.SqliteConnection connection)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA cache_size";
        return Convert.ToInt64(await pragma.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [Theory]
    [InlineData(32, 600, 600)]
    // A writer limit below the readers' is raised to theirs: the writer never has less than a reader.
    [InlineData(64, 16, 64)]
    public async Task The_writer_connection_has_its_own_cache_and_readers_keep_theirs(int readerMb, int writerMb, int expectedWriterMb)
    {
        await using var database = await MigratedDatabase.CreateAsync();
        var connections = new SqliteConnectionFactory(database.ConnectionString, cacheSizeMb: readerMb, writerCacheSizeMb: writerMb);

        using var writer = await SqliteRecordStore.Writer.OpenAsync(connections, CancellationToken.None);
        await using var reader = await connections.OpenAsync(CancellationToken.None);

        // Negative: KiB.
        Assert.Equal(-expectedWriterMb * 1024L, await CacheSizeAsync(writer.Connection));
        Assert.Equal(-readerMb * 1024L, await CacheSizeAsync(reader));
    }

    /// <summary>
    /// A store of 500 records per batch (short dedupe keys) written by one store, whose writer is then closed; with
    /// the connection string to open it again unpooled (a pooled connection keeps its page cache for the next opener).
    /// </summary>
    private static async Task<(MigratedDatabase Database, string Unpooled)> StoreOfAsync(int batches)
    {
        var database = await MigratedDatabase.CreateAsync();
        var unpooled = database.ConnectionString + ";Pooling=False";
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(unpooled));
        for (var b = 0; b < batches; b++) await store.WriteAsync(WalTests.Batch(0, b), CancellationToken.None);
        return (database, unpooled);
    }

    /// <summary>What a connection's page cache holds once it has read the whole dedupe-key index and nothing else.</summary>
    private static async Task<long> DedupeIndexBytesAsync(string connectionString)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var scan = connection.CreateCommand();
        scan.CommandText = "SELECT COUNT(*) FROM records INDEXED BY IX_records_DedupeKey";
        await scan.ExecuteScalarAsync();
        SQLitePCL.raw.sqlite3_db_status(connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_USED, out var used, out _, 0);
        return used;
    }

    [Fact]
    public async Task Warming_reads_the_dedupe_key_index_into_a_fresh_writer_cache()
    {
        var (database, unpooled) = await StoreOfAsync(40);
        await using var _ = database;
        var index = await DedupeIndexBytesAsync(unpooled);
        var connections = new SqliteConnectionFactory(unpooled, writerCacheSizeMb: 64);

        using var cold = new SqliteRecordStore(connections);
        await cold.WriteAsync([.. WalTests.Batch(1, 0).Take(1)], CancellationToken.None);
        using var warmed = new SqliteRecordStore(connections);
        var bytes = await warmed.WarmWriterCacheAsync(CancellationToken.None);

        // One insert reads only the paths it walks; the warm-up read every page of the index.
        Assert.True(cold.WriterCacheBytes() < index, $"{cold.WriterCacheBytes()} bytes after one insert, the index {index}");
        Assert.True(bytes >= index, $"{bytes} bytes after warming, the index {index}");
        Assert.Equal(bytes, warmed.WriterCacheBytes());
    }

    [Fact]
    public async Task The_writer_keeps_its_cache_when_the_idle_wal_is_cut_to_nothing()
    {
        var (database, unpooled) = await StoreOfAsync(20);
        await using var _ = database;
        var connections = new SqliteConnectionFactory(unpooled, writerCacheSizeMb: 64);
        using var store = new SqliteRecordStore(connections);
        var warmed = await store.WarmWriterCacheAsync(CancellationToken.None);
        await store.WriteAsync(WalTests.Batch(1, 0), CancellationToken.None);
        Assert.True(new FileInfo(database.FilePath + "-wal").Length > 0);

        Assert.True(store.TruncateLog(CancellationToken.None));
        Assert.Equal(0, new FileInfo(database.FilePath + "-wal").Length);
        await store.WriteAsync([.. WalTests.Batch(1, 1).Take(1)], CancellationToken.None);

        // Cut from another connection, the log's new header made SQLite drop the writer's whole cache at this write.
        Assert.True(store.WriterCacheBytes() >= warmed, $"{store.WriterCacheBytes()} bytes after the truncation, {warmed} before");
    }
}
