using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Records;

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

    private static readonly string Raw = "{\"log\":\"" + new string('x', 300) + "\"}";

    /// <summary>
    /// One record for each of the <paramref name="instances"/> (numbers), <paramref name="minutesAgo"/> minutes before now,
    /// with time-ordered dedupe keys as the parsers give them; every third instance failing.
    /// </summary>
    private static List<EventRecord> Senders(IEnumerable<int> instances, int minutesAgo, string round) => [.. instances.Select(i =>
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-minutesAgo).AddMilliseconds(i);
        var instance = $"docker/warm/instance-{i:D6}";
        var failing = i % 3 == 0;
        return new EventRecord
        {
            Kind = "container", Source = "docker", Format = "test", Entry = "die", InstanceKey = instance, InstanceName = instance,
            OccurredAt = at, ReceivedAt = at, LastSeenAt = at, Category = failing ? "exit.app-error" : "exit.clean", Severity = failing ? "error" : "info",
            IsFailure = failing, RawJson = Raw, DedupeKey = DedupeKeys.Timed(at, $"{round}-{i}"),
        };
    })];

    /// <summary>Every twelfth of the fleet's instances: the newest senders, scattered over its key order and its state rows.</summary>
    private static readonly int[] Newest = [.. Enumerable.Range(0, 500).Select(i => i * 12 + 5)];

    /// <summary>
    /// A store of 6,000 instances with a record each, written 500 per batch two hours ago, then one more record from each
    /// of the <see cref="Newest"/> senders. Opened again unpooled (a pooled connection keeps its page cache for the next opener).
    /// </summary>
    private static async Task<(MigratedDatabase Database, string Unpooled)> FleetAsync()
    {
        var database = await MigratedDatabase.CreateAsync();
        var unpooled = database.ConnectionString + ";Pooling=False";
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(unpooled));
        for (var first = 0; first < 6_000; first += 500) await store.WriteAsync(Senders(Enumerable.Range(first, 500), 120, "stored"), CancellationToken.None);
        await store.WriteAsync(Senders(Newest, 10, "newest"), CancellationToken.None);
        return (database, unpooled);
    }

    /// <summary>Pages the store's writer read from the file (SQLite's cache misses) while it wrote <paramref name="records"/>.</summary>
    private static async Task<long> PagesReadWritingAsync(SqliteRecordStore store, List<EventRecord> records)
    {
        var before = store.WriterPagesRead();
        await store.WriteAsync(records, CancellationToken.None);
        return store.WriterPagesRead() - before;
    }

    [Fact]
    public async Task Warming_reads_the_pages_the_newest_senders_next_records_write()
    {
        var (database, unpooled) = await FleetAsync();
        await using var _ = database;
        var connections = new SqliteConnectionFactory(unpooled, writerCacheSizeMb: 64);
        // The newest senders send again: new records at the end of their timelines, merged into their state rows.
        using var cold = new SqliteRecordStore(connections);
        await cold.WriteAsync(Senders([9_000], 1, "open"), CancellationToken.None);
        var coldReads = await PagesReadWritingAsync(cold, Senders(Newest, 1, "next"));
        cold.Dispose();
        using var warmed = new SqliteRecordStore(connections);
        var warm = await warmed.WarmWriterCacheAsync(CancellationToken.None);
        var warmReads = await PagesReadWritingAsync(warmed, Senders(Newest, 0, "again"));

        Assert.True(warm.Instances >= 500, $"{warm.Instances} instances warmed");
        // Cold, the writer read each instance's state row, its index entries and its timeline's last leaf from the file.
        Assert.True(coldReads >= 100, $"{coldReads} pages read cold");
        Assert.True(warmReads * 10 <= coldReads, $"{warmReads} pages read after warming, {coldReads} cold");
    }

    [Fact]
    public async Task Warming_stops_at_three_quarters_of_the_writer_cache_and_reads_only_the_newest_records()
    {
        var (database, unpooled) = await FleetAsync();
        await using var _ = database;
        // The smallest cache (1 MB): the warm-up stops at its bound long before the 6,000 instances' pages are read.
        var small = new SqliteConnectionFactory(unpooled, cacheSizeMb: 1, writerCacheSizeMb: 1);
        using (var store = new SqliteRecordStore(small))
        {
            var warm = await store.WarmWriterCacheAsync(CancellationToken.None);
            // SQLite counts its page headers in the cache's use, past the pages' own bytes the limit is in.
            Assert.True(warm.Bytes <= small.WriterCacheBytes * 5 / 4, $"{warm.Bytes} bytes in a {small.WriterCacheBytes}-byte cache");
            Assert.True(warm.Instances < 6_000, $"{warm.Instances} instances warmed");
        }

        // A cache larger than the whole store: the newest records read stop at as many as the cache has pages (12,288 at 64 MB and 4 kB pages).
        var large = new SqliteConnectionFactory(unpooled, writerCacheSizeMb: 64);
        using var few = new SqliteRecordStore(large);
        for (var round = 0; round < 30; round++) await few.WriteAsync(Senders(Newest, 0, $"round-{round}"), CancellationToken.None);
        using var reopened = new SqliteRecordStore(large);
        var bounded = await reopened.WarmWriterCacheAsync(CancellationToken.None);
        Assert.True(bounded.RecordsRead <= large.WriterCacheBytes * 3 / 4 / 4096 + SqliteRecordStore.WarmRecordsPerStep, $"{bounded.RecordsRead} records read");
        Assert.True(bounded.RecordsRead < 21_500, $"{bounded.RecordsRead} of 21,500 records read");
    }

    [Fact]
    public async Task Warming_starts_only_once_the_console_has_started()
    {
        var (database, unpooled) = await FleetAsync();
        await using var _ = database;
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(unpooled, writerCacheSizeMb: 64));
        var lifetime = new Lifetime();
        using var warmer = new WriterCacheWarmer(store, lifetime, Microsoft.Extensions.Logging.Abstractions.NullLogger<WriterCacheWarmer>.Instance);

        // The host's start-up (and /healthz after it) never waits for the warm-up: it begins once the server listens.
        await warmer.StartAsync(CancellationToken.None);
        Assert.Equal(0, store.WriterCacheBytes());

        lifetime.Started();
        await warmer.ExecuteTask!;
        Assert.True(store.WriterCacheBytes() > 0);
        await warmer.StopAsync(CancellationToken.None);
    }

    private sealed class Lifetime : Microsoft.Extensions.Hosting.IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Started() => _started.Cancel();

        public void StopApplication()
        {
        }
    }

    [Fact]
    public async Task The_writer_keeps_its_cache_when_the_idle_wal_is_cut_to_nothing()
    {
        var (database, unpooled) = await StoreOfAsync(20);
        await using var _ = database;
        var connections = new SqliteConnectionFactory(unpooled, writerCacheSizeMb: 64);
        using var store = new SqliteRecordStore(connections);
        var warmed = (await store.WarmWriterCacheAsync(CancellationToken.None)).Bytes;
        await store.WriteAsync(WalTests.Batch(1, 0), CancellationToken.None);
        Assert.True(new FileInfo(database.FilePath + "-wal").Length > 0);

        Assert.True(store.TruncateLog(CancellationToken.None));
        Assert.Equal(0, new FileInfo(database.FilePath + "-wal").Length);
        await store.WriteAsync([.. WalTests.Batch(1, 1).Take(1)], CancellationToken.None);

        // Cut from another connection, the log's new header made SQLite drop the writer's whole cache at this write.
        Assert.True(store.WriterCacheBytes() >= warmed, $"{store.WriterCacheBytes()} bytes after the truncation, {warmed} before");
    }
}
