using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

using OpsConsole.Features.Records;
using OpsConsole.Features.SourceHealth;
using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// SQLite write path: one IMMEDIATE transaction per request on one long-lived writer connection whose statements are
/// prepared once and bound by position; one instance-state upsert per instance and the counter tables
/// (<see cref="CategoryCount"/>, <see cref="FailureHour"/>) in the same transaction. EF Core owns the schema; this class only writes rows.
/// </summary>
public sealed class SqliteRecordStore(SqliteConnectionFactory connections, StorageHealth? storage = null) : IRecordStore, IDisposable
{
    // SQLite has one writer; queueing here is cheaper than SQLITE_BUSY retries.
    private static readonly SemaphoreSlim WriteLock = new(1, 1);

    // Ingest transactions queued for the writer now: past MinimumSlice, a background slice ends at its next step when one is.
    private static int _ingestQueued;

    /// <summary>A reclassification or rebuild transaction stops taking records after this long, so an ingest request waits at most about this.</summary>
    internal static readonly TimeSpan RebuildSlice = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// What a background slice does at least before it gives way to a queued ingest request: with requests back to back,
    /// slices of one step each made a 1 M-record reclassification outlast the benchmark's 30 minutes.
    /// </summary>
    internal static readonly TimeSpan MinimumSlice = TimeSpan.FromMilliseconds(10);

    internal const string RecordColumns =
        "Kind, Source, Format, Entry, InstanceKey, InstanceName, Location, RequestId, State, ExitCode, RestartCount, Signal, Reason, " +
        "Message, ErrorCode, HttpCode, Stage, OccurredAt, ReceivedAt, LastSeenAt, OccurrenceCount, Category, Severity, RuleId, Evidence, " +
        "RulesetVersion, IsFailure, Hints, DerivedFrom, DedupeKey, Truncated, RawJson, Identity, SourceTimeUntrusted";

    internal static readonly int RecordColumnCount = RecordColumns.Split(", ").Length;

    internal static readonly string InsertSql =
        $"INSERT INTO records ({RecordColumns}) VALUES ({string.Join(", ", RecordColumns.Split(", ").Select((_, i) => $"?{i + 1}"))})";

    internal const string CategoryCountSql = """
        INSERT INTO category_counts (Category, Records, FailingInstances) VALUES (?1, ?2, ?3)
        ON CONFLICT (Category) DO UPDATE SET Records = Records + excluded.Records, FailingInstances = FailingInstances + excluded.FailingInstances
        """;

    internal const string FailureHourSql =
        "INSERT INTO failure_hours (Hour, Failures) VALUES (?1, ?2) ON CONFLICT (Hour) DO UPDATE SET Failures = Failures + excluded.Failures";

    private Writer? _writer;

    public async Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        // Everything that needs no database happens before the write lock, overlapping another request's transaction:
        // the rows' values encoded, each instance's current record among the batch decided.
        using var rows = new EncodedRows(RecordColumnCount, records.Count);
        foreach (var record in records) AddRecord(rows, record);
        using var states = InstanceStates.Batch.Of(records);
        return await InWriteTransactionAsync<IReadOnlyList<StoredRecord>>((writer, transaction) =>
        {
            var results = new StoredRecord[records.Count];
            var counts = new CounterChanges();
            var duplicates = false;
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                // Stored before keys began with the source's time: the duplicate of that record, under its key then.
                var stored = DedupeKeys.MayBeStoredUnderLegacyKey(record, writer.LegacyHorizon) ? Stored(writer.Existing, record.LegacyDedupeKey!) : null;
                if (stored is not null) record.DedupeKey = record.LegacyDedupeKey!;
                else
                {
                    rows.Bind(writer.Insert, i);
                    // No RETURNING reader per row: the insert either added one row (its rowid is the id) or hit the dedupe key.
                    if (writer.Insert.Execute() == 1)
                    {
                        var id = SQLitePCL.raw.sqlite3_last_insert_rowid(writer.Connection.Handle);
                        record.Id = id;
                        results[i] = new StoredRecord(id, Duplicate: false, Updated: false);
                        counts.Add(record.Category, record.IsFailure, record.ReceivedAt, 1);
                        continue;
                    }
                    stored = Stored(writer.Existing, record.DedupeKey);
                }

                duplicates = true;
                var (existingId, existingCount) = stored!.Value;
                record.Id = existingId;
                // A repeated Kubernetes Event (or ACA row) with a higher count is the same fact seen more often.
                var updated = record.OccurrenceCount > existingCount && UpdateOccurrence(writer.Connection, transaction, existingId, record);
                results[i] = new StoredRecord(existingId, Duplicate: true, Updated: updated);
            }

            // A re-sent record says nothing new about its instance: the states are decided again from the new records only.
            if (duplicates)
            {
                using var fresh = InstanceStates.Batch.Of(records, i => !results[i].Duplicate);
                InstanceStates.Write(writer.States, fresh, records, counts.AddFailing);
            }
            else InstanceStates.Write(writer.States, states, records, counts.AddFailing);
            WriteCounts(writer, counts);
            return results;
        }, cancellationToken);
    }

    /// <summary>The id and occurrence count of the record stored under <paramref name="dedupeKey"/>, if any.</summary>
    private static (long Id, long Count)? Stored(RawStatement existing, string dedupeKey)
    {
        existing.Bind(1, dedupeKey);
        if (!existing.Read()) return null;
        var stored = (existing.Long(0), existing.Long(1));
        existing.Reset();
        return stored;
    }

    public async Task<IReadOnlySet<string>> UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        var changedInstances = new HashSet<string>(StringComparer.Ordinal);
        // Sliced like the rebuild: each record's update touches several indexes, and ingestion queues behind the lock.
        await InSlicesAsync(Operations.Reclassify, records.Count, (writer, i, counts) => Reclassify(writer, records[i], counts, changedInstances), cancellationToken);
        return changedInstances;
    }

    private static void Reclassify(Writer writer, EventRecord record, CounterChanges counts, HashSet<string> changedInstances)
    {
        var before = writer.Classification;
        before.Bind(1, record.Id);
        if (!before.Read()) return;
        var (category, severity, failure, received) = (before.Text(0)!, before.Text(1)!, before.Long(2) != 0, before.Long(3));
        before.Reset();

        var update = writer.Reclassify;
        update.Bind(1, record.Category);
        update.Bind(2, record.Severity);
        update.Bind(3, record.RuleId);
        update.Bind(4, record.Evidence);
        update.Bind(5, record.RulesetVersion);
        update.Bind(6, record.IsFailure);
        update.Bind(7, record.Hints);
        update.Bind(8, record.Id);
        update.Execute();

        if (counts.Reclassified(category, severity, failure, DateTimeOffset.FromUnixTimeMilliseconds(received), record)) changedInstances.Add(record.InstanceKey);
    }

    public async Task RebuildInstanceStatesAsync(IReadOnlyCollection<string> instanceKeys, CancellationToken cancellationToken)
    {
        var keys = instanceKeys.ToList();
        await InSlicesAsync(Operations.Rebuild, keys.Count, (writer, i, counts) => InstanceStates.Rebuild(writer.States, keys[i], counts.AddFailing), cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="step"/> for 0 … <paramref name="count"/> − 1 in write transactions of at most
    /// <see cref="RebuildSlice"/> each, with the counters of each slice written in it. Ingestion goes first: past
    /// <see cref="MinimumSlice"/>, a slice ends at the step during which an ingest request queued for the writer (the
    /// queue is first come, first served, so that request commits before the next slice), and after each slice the run
    /// pauses as long as the slice took, so it has at most half of the writer, the CPU and the disk.
    /// </summary>
    internal async Task InSlicesAsync(string operation, int count, Action<Writer, int, CounterChanges> step, CancellationToken cancellationToken)
    {
        var next = 0;
        while (next < count)
        {
            var started = 0L;
            next = await InWriteTransactionAsync((writer, _) =>
            {
                started = Stopwatch.GetTimestamp();
                var counts = new CounterChanges();
                var i = next;
                do step(writer, i++, counts);
                while (i < count && SliceGoesOn(started));
                WriteCounts(writer, counts);
                return i;
            }, cancellationToken, operation);
            var slice = Stopwatch.GetElapsedTime(started);
            await LetTheWalRestartAsync(cancellationToken);
            if (next < count) await Task.Delay(slice, cancellationToken);
        }
    }

    /// <summary>
    /// Between two slices of a background run, folds the WAL into the database when the log has grown past its limit.
    /// Slices follow each other so closely that the once-a-second checkpointer never finds the log fully folded before
    /// the next write, so the log is never restarted: it grew to the 1 GB auto-checkpoint, which then ran inside some
    /// commit and held the writer (and the ingest queued behind it) for seconds. Folded here, outside the lock and
    /// before this run writes again, the next commit can restart the log at the file's start.
    /// </summary>
    private Task LetTheWalRestartAsync(CancellationToken cancellationToken)
    {
        if (connections.LogBytes <= SqliteConnectionFactory.LogRestartBytes) return Task.CompletedTask;
        // On a thread of its own: the copy blocks in SQLite, at times for seconds, and a thread-pool thread blocked
        // that long (with the checkpointer's at once) left none for the ingest requests the slices make way for.
        return Task.Factory.StartNew(() =>
        {
            using var connection = connections.Open();
            using var checkpoint = connection.CreateCommand();
            var started = Stopwatch.GetTimestamp();
            connections.PassiveCheckpoint(checkpoint);
            OpsMetrics.StoreCheckpoint.WithLabels("between-slices").Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }, cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public async Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        return await RecordStoreReads.FailuresPerHourAsync(connection, since, cancellationToken);
    }

    public Task<RetentionBatch> DeleteExpiredAsync(RetentionCut cut, CancellationToken cancellationToken) =>
        InWriteTransactionAsync((writer, transaction) =>
        {
            var slice = Stopwatch.StartNew();
            var counts = new CounterChanges();
            var candidates = RecordRetention.Oldest(writer.Connection, transaction, cut);
            var batch = RecordRetention.Walk(cut, candidates, counts, id =>
            {
                writer.DeleteRecord.Bind(1, id);
                writer.DeleteRecord.Execute();
            }, () => slice.Elapsed >= RebuildSlice);
            WriteCounts(writer, counts);
            RecordRetention.DropEmptyHours(writer.Connection, transaction, candidates);
            return batch;
        }, cancellationToken, Operations.Retention);

    /// <summary>Free pages given back per transaction: moving pages to the file's end takes the write lock, so in small steps.</summary>
    internal const int VacuumPagesPerStep = 256;

    public async Task ReleaseFreeSpaceAsync(CancellationToken cancellationToken)
    {
        // Only a file created with auto_vacuum = INCREMENTAL can shrink this way; others reuse their free pages for new records.
        while (await InWriteTransactionAsync((writer, transaction) =>
               {
                   using var pragma = writer.Connection.CreateCommand();
                   pragma.Transaction = transaction;
                   pragma.CommandText = "PRAGMA auto_vacuum";
                   if (Convert.ToInt64(pragma.ExecuteScalar(), CultureInfo.InvariantCulture) != 2) return false;
                   pragma.CommandText = "PRAGMA freelist_count";
                   if (Convert.ToInt64(pragma.ExecuteScalar(), CultureInfo.InvariantCulture) == 0) return false;
                   // Each step of this pragma frees one page; ExecuteNonQuery steps it to the end.
                   pragma.CommandText = $"PRAGMA incremental_vacuum({VacuumPagesPerStep})";
                   pragma.ExecuteNonQuery();
                   return true;
               }, cancellationToken, Operations.Vacuum))
        {
        }
    }

    public async Task<StorageFigures> StorageFiguresAsync(CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var (records, oldest) = await RecordRetention.FiguresAsync(connection, cancellationToken);
        return new StorageFigures(records, oldest, connections.BytesOnDisk());
    }

    /// <summary>
    /// In slices like a rebuild's (<see cref="InSlicesAsync"/>): a store without saved senders primes up to
    /// Sources:MaxTracked of them from its instance states, and their first save in one transaction held the writer
    /// 3.6 s (load 24) with ingest queued behind it.
    /// </summary>
    public Task SaveSourceOriginsAsync(IReadOnlyList<SourceOrigin> sightings, long hourAgo, CancellationToken cancellationToken) =>
        InSlicesAsync(Operations.Sources, sightings.Count, (writer, i, _) => SaveSourceOrigin(writer.SourceOrigins, sightings[i], hourAgo), cancellationToken);

    /// <summary>One sender's row read and its merge written, on the writer's own statements.</summary>
    private static void SaveSourceOrigin(SourceOriginStatements statements, SourceOrigin sighting, long hourAgo)
    {
        statements.Stored.Bind(1, sighting.Source);
        statements.Stored.Bind(2, sighting.Origin);
        SourceOrigin? stored = null;
        if (statements.Stored.Read())
        {
            stored = new SourceOrigin
            {
                Source = sighting.Source, Origin = sighting.Origin, Kind = statements.Stored.Text(0)!,
                LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(statements.Stored.Long(1)), LastHour = statements.Stored.Text(2),
            };
            statements.Stored.Reset();
        }
        var merged = sighting.MergedInto(stored, hourAgo);
        statements.Save.Bind(1, merged.Source);
        statements.Save.Bind(2, merged.Origin);
        statements.Save.Bind(3, merged.Kind);
        statements.Save.Bind(4, merged.LastSeenAt.ToUnixTimeMilliseconds());
        statements.Save.Bind(5, merged.LastHour);
        statements.Save.Execute();
    }

    /// <summary>Newest records read per step of <see cref="WarmWriterCacheAsync"/> for the instances that sent them.</summary>
    internal const int WarmRecordsPerStep = 2_000;

    /// <summary>
    /// Reads into the writer's page cache the pages the next ingested records write (<see cref="HotPages"/>): the ends
    /// of the time- and id-ordered indexes, then, newest senders first, each instance's state row, its partial-index
    /// entries and the end of its timeline, until the cache is three quarters full (Database:WriterCacheSizeMb) or the
    /// newest records read number as many as the cache has pages: bounded by the cache, never by the records stored.
    /// A fleet's next records come mostly from the instances that sent last. The instance keys and a first pass of the
    /// same seeks run on a connection of their own, outside the write lock, so pages a cold start reads from the disk
    /// arrive in the OS cache there; the writer then copies them in slices like a rebuild's (an ingest request that
    /// queues ends the slice). At 10 M records a console fresh from start-up read those pages from the file inside its
    /// write transactions and ingested at 0.55 of a fresh file's rate when the OS cache was cold as well.
    /// </summary>
    public async Task<WarmedCache> WarmWriterCacheAsync(CancellationToken cancellationToken)
    {
        var budget = connections.WriterCacheBytes * 3 / 4;
        var now = DateTimeOffset.UtcNow;
        await using var reader = await connections.OpenAsync(cancellationToken);
        using var readerPages = new HotPages(reader);
        readerPages.Ends(now);
        var cacheBytes = await InWriteTransactionAsync((writer, _) =>
        {
            writer.HotPages.Ends(now);
            return CacheBytes(writer.Connection);
        }, cancellationToken, Operations.Warm);

        using var newest = new RawStatement(reader, $"SELECT Id, InstanceKey FROM records WHERE Id < ?1 ORDER BY Id DESC LIMIT {WarmRecordsPerStep}");
        var pageBytes = PageBytes(reader);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long before = long.MaxValue, scanned = 0;
        var instances = 0;
        while (cacheBytes < budget && scanned < budget / pageBytes)
        {
            var keys = new List<string>();
            newest.Bind(1, before);
            var read = 0;
            while (newest.Read())
            {
                read++;
                before = newest.Long(0);
                var key = newest.Text(1)!;
                if (seen.Add(key)) keys.Add(key);
            }
            if (read == 0) break;
            scanned += read;
            foreach (var key in keys) readerPages.Instance(key);

            var next = 0;
            while (next < keys.Count && cacheBytes < budget)
            {
                var from = next;
                (next, cacheBytes) = await InWriteTransactionAsync((writer, _) =>
                {
                    var started = Stopwatch.GetTimestamp();
                    var i = next;
                    do writer.HotPages.Instance(keys[i++]);
                    while (i < keys.Count && SliceGoesOn(started));
                    return (i, CacheBytes(writer.Connection));
                }, cancellationToken, Operations.Warm);
                instances += next - from;
            }
        }
        return new WarmedCache(cacheBytes, instances, scanned);
    }

    /// <summary>What <see cref="WarmWriterCacheAsync"/> left: the writer's cache in bytes, the instances whose pages it read and the newest records it read for them.</summary>
    public sealed record WarmedCache(long Bytes, int Instances, long RecordsRead);

    private static long PageBytes(SqliteConnection connection)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA page_size";
        return Convert.ToInt64(pragma.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>The writer connection's page cache in use, in bytes (for tests and the warm-up's log line).</summary>
    internal long WriterCacheBytes() => BetweenWrites(Operations.Warm, () => _writer is null ? 0 : CacheBytes(_writer.Connection), CancellationToken.None);

    /// <summary>Pages the writer connection has read from the file since it opened (SQLite's cache misses; for tests).</summary>
    internal long WriterPagesRead() => BetweenWrites(Operations.Warm, () =>
    {
        if (_writer is null) return 0L;
        SQLitePCL.raw.sqlite3_db_status(_writer.Connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_MISS, out var misses, out _, 0);
        return misses;
    }, CancellationToken.None);

    private static long CacheBytes(SqliteConnection connection)
    {
        SQLitePCL.raw.sqlite3_db_status(connection.Handle, SQLitePCL.raw.SQLITE_DBSTATUS_CACHE_USED, out var used, out _, 0);
        return used;
    }

    /// <summary>
    /// Cuts the WAL to zero bytes (a TRUNCATE checkpoint) on the writer's own connection, between writes. Run on any other
    /// connection it rewrites the log's header, and SQLite then drops the writer's whole page cache at its next transaction
    /// (it cannot tell which pages changed): the first ingest after each idle second read its index pages from the file
    /// again. It never waits while holding the writer: with ingest queued the log is no longer idle, and with a reader
    /// still on an old snapshot SQLite answers busy at once; either way it gives up (false) and the next idle second tries again.
    /// </summary>
    internal bool TruncateLog(CancellationToken cancellationToken) =>
        BetweenWrites(Operations.Truncate, () =>
        {
            if (IngestQueued) return false;
            // A writer never opened has no page cache to keep: a short-lived connection does, without preparing the writer's statements.
            using var own = _writer is null ? connections.Open() : null;
            using var truncate = (own ?? _writer!.Connection).CreateCommand();
            truncate.CommandText = "PRAGMA busy_timeout = 0;";
            truncate.ExecuteNonQuery();
            try
            {
                truncate.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
                using var reader = truncate.ExecuteReader();
                return reader.Read() && reader.GetInt64(0) == 0;
            }
            finally
            {
                truncate.CommandText = $"PRAGMA busy_timeout = {SqliteConnectionFactory.BusyTimeoutMs};";
                truncate.ExecuteNonQuery();
            }
        }, cancellationToken);

    /// <summary>Whether an ingest transaction waits for the writer right now.</summary>
    internal static bool IngestQueued => Volatile.Read(ref _ingestQueued) > 0;

    /// <summary>Whether a background slice begun at <paramref name="started"/> takes another step: within <see cref="RebuildSlice"/>, and past <see cref="MinimumSlice"/> only while no ingest request waits.</summary>
    private static bool SliceGoesOn(long started) =>
        Stopwatch.GetElapsedTime(started) is var elapsed && elapsed < RebuildSlice && (elapsed < MinimumSlice || !IngestQueued);

    /// <summary>
    /// Runs <paramref name="work"/> on a connection of its own while no write transaction is open: it holds the
    /// single-writer lock, so it waits for the running transaction and the next one waits for it (metrics label
    /// <paramref name="operation"/>). Blocks the calling thread: for code on a thread of its own (<see cref="WalCheckpointer"/>).
    /// Given the writer while ingest requests queued behind it, it queues again behind them, up to
    /// <paramref name="yieldsToIngest"/> times: they would otherwise wait for all of <paramref name="work"/>.
    /// </summary>
    internal static T BetweenWrites<T>(string operation, Func<T> work, CancellationToken cancellationToken, int yieldsToIngest = 0)
    {
        var queued = Stopwatch.GetTimestamp();
        // Queued among the transactions' own asynchronous waits (a synchronous Wait would go ahead of them): first come, first served.
        WriteLock.WaitAsync(cancellationToken).GetAwaiter().GetResult();
        for (var yields = 0; yields < yieldsToIngest && IngestQueued; yields++)
        {
            // Released to the first waiter (a request queued behind this one); waiting again puts this one behind them.
            WriteLock.Release();
            WriteLock.WaitAsync(cancellationToken).GetAwaiter().GetResult();
        }
        var held = Stopwatch.GetTimestamp();
        OpsMetrics.StoreWriteWait.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(queued, held).TotalSeconds);
        try
        {
            return work();
        }
        finally
        {
            OpsMetrics.StoreWriteHold.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(held).TotalSeconds);
            WriteLock.Release();
        }
    }

    /// <summary>
    /// Runs one of EF Core's writes (<see cref="OpsDbContext"/>'s saves, <see cref="EfWriteInterceptor"/>'s statements)
    /// under the single-writer lock, queued with the ingest transactions: on a connection of its own outside the lock,
    /// its hold of SQLite's write lock made the ingest transaction it met wait in SQLite's busy handler instead.
    /// </summary>
    internal static async Task<T> BesideWritesAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        var queued = Stopwatch.GetTimestamp();
        await WriteLock.WaitAsync(cancellationToken);
        var held = Stopwatch.GetTimestamp();
        OpsMetrics.StoreWriteWait.WithLabels(Operations.Ef).Observe(Stopwatch.GetElapsedTime(queued, held).TotalSeconds);
        try
        {
            return await work();
        }
        finally
        {
            OpsMetrics.StoreWriteHold.WithLabels(Operations.Ef).Observe(Stopwatch.GetElapsedTime(held).TotalSeconds);
            WriteLock.Release();
        }
    }

    /// <summary>As <see cref="BesideWritesAsync"/>, for EF Core's synchronous saves (ASP.NET Data Protection's key store makes them).</summary>
    internal static T BesideWrites<T>(Func<T> work) => BetweenWrites(Operations.Ef, work, CancellationToken.None);

    /// <summary>The operations the write-lock metrics are labelled with.</summary>
    internal static class Operations
    {
        public const string Ingest = "ingest";
        public const string Reclassify = "reclassify";
        public const string Rebuild = "rebuild";
        public const string Retention = "retention";
        public const string Vacuum = "vacuum";
        public const string Warm = "warm";
        public const string Truncate = "truncate";
        public const string Sources = "sources";
        public const string Ef = "ef";
        public const string Checkpoint = "checkpoint";
        public const string CheckpointPastLimit = "checkpoint-past-limit";
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one IMMEDIATE transaction on the writer connection under the single-writer lock;
    /// commits when it returns. After a failure the writer is reopened, so a full disk or a lost file does not stick.
    /// How long it waited for the lock and held it is measured per <paramref name="operation"/>
    /// (opsconsole_store_write_wait_seconds, opsconsole_store_write_hold_seconds).
    /// </summary>
    private async Task<T> InWriteTransactionAsync<T>(Func<Writer, SqliteTransaction, T> work, CancellationToken cancellationToken,
        string operation = Operations.Ingest)
    {
        var queued = Stopwatch.GetTimestamp();
        var ingest = operation == Operations.Ingest;
        if (ingest) Interlocked.Increment(ref _ingestQueued);
        try
        {
            await WriteLock.WaitAsync(cancellationToken);
        }
        finally
        {
            if (ingest) Interlocked.Decrement(ref _ingestQueued);
        }
        var held = Stopwatch.GetTimestamp();
        OpsMetrics.StoreWriteWait.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(queued, held).TotalSeconds);
        var timing = ingest ? RequestTiming.Current : null;
        timing?.Add("wait", Stopwatch.GetElapsedTime(queued, held));
        try
        {
            _writer ??= await Writer.OpenAsync(connections, cancellationToken);
            try
            {
                T result;
                using (var transaction = _writer.Connection.BeginTransaction())
                {
                    result = work(_writer, transaction);
                    var committing = Stopwatch.GetTimestamp();
                    transaction.Commit();
                    OpsMetrics.StoreWriteCommit.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(committing).TotalSeconds);
                    timing?.Add("commit", Stopwatch.GetElapsedTime(committing));
                }
                storage?.ReportSuccess();
                return result;
            }
            catch
            {
                _writer.Dispose();
                _writer = null;
                throw;
            }
        }
        finally
        {
            OpsMetrics.StoreWriteHold.WithLabels(operation).Observe(Stopwatch.GetElapsedTime(held).TotalSeconds);
            timing?.Add("hold", Stopwatch.GetElapsedTime(held));
            WriteLock.Release();
        }
    }

    public void Dispose()
    {
        WriteLock.Wait();
        try
        {
            _writer?.Dispose();
            _writer = null;
        }
        finally
        {
            WriteLock.Release();
        }
    }

    /// <summary>The writer connection and its statements, prepared once.</summary>
    internal sealed class Writer : IDisposable
    {
        private Writer(SqliteConnection connection, long? legacyHorizon)
        {
            Connection = connection;
            LegacyHorizon = legacyHorizon;
            Insert = new RawStatement(connection, InsertSql + " ON CONFLICT (DedupeKey) DO NOTHING");
            Existing = new RawStatement(connection, "SELECT Id, OccurrenceCount FROM records WHERE DedupeKey = ?1");
            Classification = new RawStatement(connection, "SELECT Category, Severity, IsFailure, ReceivedAt FROM records WHERE Id = ?1");
            Reclassify = new RawStatement(connection, """
                UPDATE records SET Category = ?1, Severity = ?2, RuleId = ?3, Evidence = ?4, RulesetVersion = ?5, IsFailure = ?6, Hints = ?7
                WHERE Id = ?8
                """);
            CategoryCount = new RawStatement(connection, CategoryCountSql);
            FailureHour = new RawStatement(connection, FailureHourSql);
            States = new InstanceStates.Statements(connection);
            DeleteRecord = new RawStatement(connection, "DELETE FROM records WHERE Id = ?1");
        }

        public SqliteConnection Connection { get; }

        /// <summary>The latest source time among records stored with hash-only dedupe keys (<see cref="DedupeKeys"/>); null when none were.</summary>
        public long? LegacyHorizon { get; }
        public RawStatement Insert { get; }
        public RawStatement Existing { get; }
        public RawStatement Classification { get; }
        public RawStatement Reclassify { get; }
        public RawStatement CategoryCount { get; }
        public RawStatement FailureHour { get; }
        public InstanceStates.Statements States { get; }
        public RawStatement DeleteRecord { get; }

        /// <summary>The warm-up's seeks (<see cref="WarmWriterCacheAsync"/>), prepared when it first runs on this connection.</summary>
        public HotPages HotPages => _hotPages ??= new HotPages(Connection);

        private HotPages? _hotPages;

        /// <summary>The sender rows' statements (<see cref="SaveSourceOriginsAsync"/>), prepared when it first runs on this connection.</summary>
        public SourceOriginStatements SourceOrigins => _sourceOrigins ??= new SourceOriginStatements(Connection);

        private SourceOriginStatements? _sourceOrigins;

        public static async Task<Writer> OpenAsync(SqliteConnectionFactory connections, CancellationToken cancellationToken)
        {
            var connection = await connections.OpenAsync(cancellationToken);
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = connections.WriterCachePragma;
                await command.ExecuteNonQueryAsync(cancellationToken);
                return new Writer(connection, await LegacyHorizonAsync(command, cancellationToken));
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }

        /// <summary>The horizon its migration wrote; a schema made without migrations has no table and no stored keys of the old shape.</summary>
        private static async Task<long?> LegacyHorizonAsync(SqliteCommand command, CancellationToken cancellationToken)
        {
            command.CommandText = $"SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '{DedupeKeys.HorizonTable}'";
            if (await command.ExecuteScalarAsync(cancellationToken) is null) return null;
            command.CommandText = $"SELECT LastOccurredAt FROM {DedupeKeys.HorizonTable}";
            return await command.ExecuteScalarAsync(cancellationToken) is long horizon ? horizon : null;
        }

        public void Dispose()
        {
            Insert.Dispose();
            Existing.Dispose();
            Classification.Dispose();
            Reclassify.Dispose();
            CategoryCount.Dispose();
            FailureHour.Dispose();
            States.Dispose();
            DeleteRecord.Dispose();
            _hotPages?.Dispose();
            _sourceOrigins?.Dispose();
            Connection.Dispose();
        }
    }

    internal sealed class SourceOriginStatements(SqliteConnection connection) : IDisposable
    {
        public RawStatement Stored { get; } = new(connection, "SELECT Kind, LastSeenAt, LastHour FROM source_origins WHERE Source = ?1 AND Origin = ?2");

        public RawStatement Save { get; } = new(connection, """
            INSERT INTO source_origins (Source, Origin, Kind, LastSeenAt, LastHour) VALUES (?1, ?2, ?3, ?4, ?5)
            ON CONFLICT (Source, Origin) DO UPDATE SET Kind = excluded.Kind, LastSeenAt = excluded.LastSeenAt, LastHour = excluded.LastHour
            """);

        public void Dispose()
        {
            Stored.Dispose();
            Save.Dispose();
        }
    }

    private static void WriteCounts(Writer writer, CounterChanges counts) => WriteCounts(writer.CategoryCount, writer.FailureHour, counts);

    /// <summary>The counter rows' upserts (<see cref="CategoryCountSql"/>, <see cref="FailureHourSql"/>); shared with the raw-insert benchmark baseline.</summary>
    internal static void WriteCounts(RawStatement categoryCount, RawStatement failureHour, CounterChanges counts)
    {
        foreach (var (category, records, failing) in counts.Categories)
        {
            categoryCount.Bind(1, category);
            categoryCount.Bind(2, records);
            categoryCount.Bind(3, failing);
            categoryCount.Execute();
        }
        foreach (var (hour, delta) in counts.FailureHours)
        {
            failureHour.Bind(1, hour);
            failureHour.Bind(2, delta);
            failureHour.Execute();
        }
    }

    /// <summary>Adds a record's column values as one row (?1..?34, <see cref="RecordColumns"/> order); shared with the raw-insert benchmark baseline.</summary>
    internal static void AddRecord(EncodedRows row, EventRecord r)
    {
        row.Add(r.Kind);
        row.Add(r.Source);
        row.Add(r.Format);
        row.Add(r.Entry);
        row.Add(r.InstanceKey);
        row.Add(r.InstanceName);
        row.Add(r.Location);
        row.Add(r.RequestId);
        row.Add(r.State);
        row.Add(r.ExitCode);
        row.Add(r.RestartCount);
        row.Add(r.Signal);
        row.Add(r.Reason);
        row.Add(r.Message);
        row.Add(r.ErrorCode);
        row.Add(r.HttpCode);
        row.Add(r.Stage);
        row.Add(r.OccurredAt.ToUnixTimeMilliseconds());
        row.Add(r.ReceivedAt.ToUnixTimeMilliseconds());
        row.Add(r.LastSeenAt.ToUnixTimeMilliseconds());
        row.Add(r.OccurrenceCount);
        row.Add(r.Category);
        row.Add(r.Severity);
        row.Add(r.RuleId);
        row.Add(r.Evidence);
        row.Add(r.RulesetVersion);
        row.Add(r.IsFailure);
        row.Add(r.Hints);
        row.Add(r.DerivedFrom);
        row.Add(r.DedupeKey);
        row.Add(r.Truncated);
        row.Add(r.RawJson);
        row.Add(r.Identity);
        row.Add(r.SourceTimeUntrusted?.ToUnixTimeMilliseconds());
    }

    private static bool UpdateOccurrence(SqliteConnection connection, SqliteTransaction transaction, long id, EventRecord record)
    {
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = "UPDATE records SET OccurrenceCount = $count, LastSeenAt = MAX(LastSeenAt, $lastSeen), Message = $message, RawJson = $raw WHERE Id = $id";
        update.Parameters.AddWithValue("$count", record.OccurrenceCount);
        update.Parameters.AddWithValue("$lastSeen", record.LastSeenAt.ToUnixTimeMilliseconds());
        update.Parameters.AddWithValue("$message", (object?)record.Message ?? DBNull.Value);
        update.Parameters.AddWithValue("$raw", record.RawJson);
        update.Parameters.AddWithValue("$id", id);
        return update.ExecuteNonQuery() == 1;
    }
}
