using System.Globalization;
using Npgsql;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Records;
using OpsConsole.Features.SourceHealth;
using static OpsConsole.Data.InstanceStateRules;

namespace OpsConsole.Data.Postgres;

/// <summary>
/// PostgreSQL write path: each request is one transaction of a few set-based statements whose rows travel as typed
/// arrays (<c>INSERT … SELECT * FROM unnest(…)</c>), so a batch costs a handful of round trips however many records it
/// holds. Which record is current and how the counters move is decided by the same rules as on SQLite
/// (<see cref="InstanceStateRules"/>, <see cref="CounterChanges"/>). Writers are serialised across every console node by
/// a transaction-scoped advisory lock: the read-decide-write of instance states and the counter rows need one writer at a
/// time, as SQLite gives by itself. Each transaction's commit notice goes to the other nodes as a NOTIFY sent with its
/// last statements (<paramref name="commits"/>; none without it).
/// </summary>
public sealed class PostgresRecordStore(NpgsqlDataSource dataSource, StorageHealth? storage = null, PostgresCommitFeed? commits = null)
    : IRecordStore, IDisposable
{
    /// <summary>The advisory lock key of the write path ("OpsWrite" in ASCII); no other lock of the console uses it.</summary>
    internal const long WriteLockKey = 0x4F70_7357_7269_7465;

    /// <summary>Records (reclassification) or instances (rebuild) per transaction, so ingestion waits for one slice at most.</summary>
    internal const int SliceSize = 500;

    /// <summary>Dedupe keys of an expiring day deleted per transaction.</summary>
    private const int KeyChunk = 5_000;

    private readonly SemaphoreSlim _writeLock = new(1, 1);

    private static readonly string RecordColumns = Sqlite.SqliteRecordStore.RecordColumns;

    // Typed arrays, one per column in RecordColumns order, of each dedupe key's first record in the batch (FirstOfEachKey);
    // unnest turns them back into rows. records is partitioned by received day, so the key's uniqueness lives in
    // record_dedupe. Writers hold the write lock, so a key not stored when the statement starts is not stored by anyone
    // else before it inserts: the rows whose key is new go into records (ids from its default, in batch order) and their
    // keys into record_dedupe, in the raw benchmark baseline's shape. A plain anti-join by the key costs the server less
    // than claiming each key by ON CONFLICT and joining the claims back to the rows (a speculative insertion per key, and
    // the 34 columns materialised, sorted and hashed); should a key arrive some other way, the primary key refuses it.
    internal static readonly string InsertSql = $"""
        WITH fresh AS (
            SELECT {RecordColumns} FROM unnest({Positions(1, 34)}) WITH ORDINALITY AS u({RecordColumns}, Ord)
            WHERE NOT EXISTS (SELECT 1 FROM record_dedupe d WHERE d.DedupeKey = u.DedupeKey) ORDER BY Ord),
        inserted AS (INSERT INTO records ({RecordColumns}) SELECT * FROM fresh RETURNING Id, DedupeKey, ReceivedAt)
        INSERT INTO record_dedupe (DedupeKey, RecordId, ReceivedAt) SELECT DedupeKey, Id, ReceivedAt FROM inserted
        RETURNING RecordId, DedupeKey
        """;

    // Through record_dedupe (the received time finds the partition); a record whose day is being dropped this instant
    // has no row left and counts as seen once.
    internal const string ExistingSql = """
        SELECT d.RecordId, d.DedupeKey, COALESCE(r.OccurrenceCount, 1), d.ReceivedAt FROM record_dedupe d
        LEFT JOIN records r ON r.Id = d.RecordId AND r.ReceivedAt = d.ReceivedAt WHERE d.DedupeKey = ANY($1)
        """;

    // By id and received time, so the update looks in the stored record's day partition only.
    internal const string OccurrenceSql =
        "UPDATE records SET OccurrenceCount = $1, LastSeenAt = GREATEST(LastSeenAt, $2), Message = $3, RawJson = $4 WHERE Id = $5 AND ReceivedAt = $6";

    private const string StateColumns =
        "InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage, LastRecordId, LastSeenAt, Identity, " +
        "FailureCount, FirstFailureAt, LastFailureAt";

    private const string StoredStatesSql = "SELECT InstanceKey, LastSeenAt, IsFailing, Category, Severity FROM instance_states WHERE InstanceKey = ANY($1)";

    private static readonly string InsertStatesSql = $"INSERT INTO instance_states ({StateColumns}) SELECT * FROM unnest({Positions(1, 15)})";

    // $14 ("this batch's record is current") is decided in C# by the rules; the statement only applies it, and is sent
    // only the columns it sets (a row that is not current reads no message, so none is sent for it). LEAST and GREATEST
    // skip NULLs, so a first failure keeps the earliest of the stored and the batch's. "= ANY($1)" beside the join lets
    // the planner fetch the batch's rows by key; without it it hashes the whole table on every request.
    private static readonly string MergeStatesSql = $"""
        UPDATE instance_states s SET
            DisplayName = u.DisplayName,
            Location = COALESCE(u.Location, s.Location),
            Identity = COALESCE(u.Identity, s.Identity),
            Category = CASE WHEN u.IsCurrent THEN u.Category ELSE s.Category END,
            Severity = CASE WHEN u.IsCurrent THEN u.Severity ELSE s.Severity END,
            IsFailing = CASE WHEN u.IsCurrent THEN u.IsFailing ELSE s.IsFailing END,
            LastMessage = CASE WHEN u.IsCurrent THEN u.LastMessage ELSE s.LastMessage END,
            LastRecordId = CASE WHEN u.IsCurrent THEN u.LastRecordId ELSE s.LastRecordId END,
            LastSeenAt = CASE WHEN u.IsCurrent THEN u.LastSeenAt ELSE s.LastSeenAt END,
            FailureCount = s.FailureCount + u.FailureCount,
            FirstFailureAt = LEAST(s.FirstFailureAt, u.FirstFailureAt),
            LastFailureAt = GREATEST(s.LastFailureAt, u.LastFailureAt)
        FROM unnest({Positions(1, 14)}) AS u(InstanceKey, DisplayName, Location, Identity, Category, Severity, IsFailing, LastMessage,
            LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt, IsCurrent)
        WHERE s.InstanceKey = u.InstanceKey AND s.InstanceKey = ANY($1)
        """;

    private const string InstanceRecordsSql = """
        SELECT Id, InstanceKey, Kind, Source, InstanceName, Location, Category, Severity, IsFailure, Message, OccurredAt, Identity
        FROM records WHERE InstanceKey = ANY($1) ORDER BY InstanceKey, OccurredAt, Id
        """;

    // The CTE reading the old classification sees the rows as they were before the update beside it (one snapshot).
    /// <summary>
    /// The update of one slice of reclassified records, bounded by the slice's received times as well as by id: records
    /// is partitioned by received day, and an id alone is looked up in every day's partition (38 at the benchmark's
    /// 30 days, over a hundred at the default retention). The bounds are written into the SQL, so the plan holds only
    /// the slice's days (as RecordQueries.RowsQuery does for a page); its plan is tested.
    /// </summary>
    internal static string ReclassifySql(long firstReceivedAt, long lastReceivedAt)
    {
        var received = string.Create(CultureInfo.InvariantCulture, $"ReceivedAt BETWEEN {firstReceivedAt} AND {lastReceivedAt}");
        return $"""
            WITH before AS (SELECT Id, Category, Severity, IsFailure, ReceivedAt FROM records WHERE Id = ANY($8) AND {received}),
            changed AS (
                UPDATE records r SET Category = u.Category, Severity = u.Severity, RuleId = u.RuleId, Evidence = u.Evidence,
                    RulesetVersion = u.RulesetVersion, IsFailure = u.IsFailure, Hints = u.Hints
                FROM unnest({Positions(1, 8)}) AS u(Category, Severity, RuleId, Evidence, RulesetVersion, IsFailure, Hints, Id)
                WHERE r.Id = u.Id AND r.{received})
            SELECT Id, Category, Severity, IsFailure, ReceivedAt FROM before
            """;
    }

    private const string CategoryCountsSql = """
        INSERT INTO category_counts (Category, Records, FailingInstances) SELECT * FROM unnest($1, $2, $3)
        ON CONFLICT (Category) DO UPDATE SET Records = category_counts.Records + excluded.Records,
            FailingInstances = category_counts.FailingInstances + excluded.FailingInstances
        """;

    private const string FailureHoursSql = """
        INSERT INTO failure_hours (Hour, Failures) SELECT * FROM unnest($1, $2)
        ON CONFLICT (Hour) DO UPDATE SET Failures = failure_hours.Failures + excluded.Failures
        """;

    /// <summary>
    /// Two round trips whatever the batch holds: the transaction's start, the lock, the insert and the stored states of
    /// the batch's instances; then (dedupe hits only) the rows already stored; then occurrence updates, the states, the
    /// counters, the notice and the commit.
    /// </summary>
    public async Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteOnceAsync(records, cancellationToken);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.CheckViolation && (ex.TableName == "records" || ex.MessageText.Contains("partition", StringComparison.Ordinal)))
        {
            // No partition for a received day (retention, which creates them ahead, has not run for a week): make it, once.
            await RecordPartitions.EnsureAsync(dataSource, records.Select(r => RecordPartitions.DayOf(r.ReceivedAt.ToUnixTimeMilliseconds())), cancellationToken);
            return await WriteOnceAsync(records, cancellationToken);
        }
    }

    private async Task<IReadOnlyList<StoredRecord>> WriteOnceAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        await AdoptLegacyKeysAsync(records, cancellationToken);
        // The first statements' arrays are built before the write lock: another request's write waits for less.
        var insert = BatchCommand(InsertSql, RecordArrays(FirstOfEachKey(records)));
        var storedStates = StoredStatesCommand(records.Select(r => r.InstanceKey).Distinct(StringComparer.Ordinal).ToArray());
        return await InWriteTransactionAsync<IReadOnlyList<StoredRecord>>(async tx =>
        {
            var inserted = new Dictionary<string, long>(records.Count, StringComparer.Ordinal);
            Dictionary<string, Stored> stored;
            await using (var reader = await tx.ReadAsync(cancellationToken, insert, storedStates))
            {
                while (await reader.ReadAsync(cancellationToken)) inserted[reader.GetString(1)] = reader.GetInt64(0);
                await reader.NextResultAsync(cancellationToken);
                stored = await ReadStoredStatesAsync(reader, cancellationToken);
            }

            // Rows stored before this record: the dedupe hits, and records earlier in this batch with the same key.
            var known = new Dictionary<string, (long Id, int Count, long ReceivedAt)>(StringComparer.Ordinal);
            var missing = records.Select(r => r.DedupeKey).Where(k => !inserted.ContainsKey(k)).Distinct().ToArray();
            if (missing.Length > 0)
            {
                await using var reader = await tx.ReadAsync(cancellationToken, BatchCommand(ExistingSql, Array(missing)));
                while (await reader.ReadAsync(cancellationToken)) known[reader.GetString(1)] = (reader.GetInt64(0), reader.GetInt32(2), reader.GetInt64(3));
            }

            var results = new StoredRecord[records.Count];
            var states = new Dictionary<string, Delta>(StringComparer.Ordinal);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                if (inserted.Remove(record.DedupeKey, out var id))
                {
                    record.Id = id;
                    known[record.DedupeKey] = (id, record.OccurrenceCount, record.ReceivedAt.ToUnixTimeMilliseconds());
                    results[i] = new StoredRecord(id, Duplicate: false, Updated: false);
                    Accumulate(states, Candidate.Of(record));
                    tx.Counts.Add(record.Category, record.IsFailure, record.ReceivedAt, 1);
                    continue;
                }

                var (existingId, existingCount, existingReceivedAt) = known[record.DedupeKey];
                record.Id = existingId;
                // A repeated Kubernetes Event (or ACA row) with a higher count is the same fact seen more often.
                var updated = record.OccurrenceCount > existingCount;
                if (updated)
                {
                    known[record.DedupeKey] = (existingId, record.OccurrenceCount, existingReceivedAt);
                    tx.BeforeCommit.Add(BatchCommand(OccurrenceSql, Value(record.OccurrenceCount),
                        Value(record.LastSeenAt.ToUnixTimeMilliseconds()), Value(record.Message), Value(record.RawJson), Value(existingId), Value(existingReceivedAt)));
                }
                results[i] = new StoredRecord(existingId, Duplicate: true, Updated: updated);
            }
            WriteStates(tx, states.Values.ToList(), stored);
            tx.Notice = AnnouncingRecordStore.Written(records, results);
            return results;
        }, cancellationToken);
    }

    private long? _legacyHorizon;
    private bool _legacyHorizonRead;

    /// <summary>
    /// Gives each record stored before keys began with the source's time its key of then (<see cref="DedupeKeys"/>), so the
    /// write below finds it as a duplicate. Before the write lock: a key of the old shape is never written again, so
    /// whether one is stored does not change while this request waits.
    /// </summary>
    private async Task AdoptLegacyKeysAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        if (!_legacyHorizonRead)
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var horizon = Command(connection, $"SELECT MAX(lastoccurredat) FROM {DedupeKeys.HorizonTable}");
            _legacyHorizon = await horizon.ExecuteScalarAsync(cancellationToken) is long latest ? latest : null;
            _legacyHorizonRead = true;
        }
        var candidates = records.Where(r => DedupeKeys.MayBeStoredUnderLegacyKey(r, _legacyHorizon)).ToList();
        if (candidates.Count == 0) return;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        await using (var lookup = Command(connection, "SELECT DedupeKey FROM record_dedupe WHERE DedupeKey = ANY($1)",
                         Array(candidates.Select(r => r.LegacyDedupeKey!).ToArray())))
        await using (var reader = await lookup.ExecuteReaderAsync(cancellationToken))
        {
            var stored = new HashSet<string>(StringComparer.Ordinal);
            while (await reader.ReadAsync(cancellationToken)) stored.Add(reader.GetString(0));
            foreach (var record in candidates)
                if (stored.Contains(record.LegacyDedupeKey!)) record.DedupeKey = record.LegacyDedupeKey!;
        }
    }

    /// <summary>The records whose dedupe key no earlier record of the batch has (all of them, as a rule).</summary>
    internal static IReadOnlyList<EventRecord> FirstOfEachKey(IReadOnlyList<EventRecord> records)
    {
        var keys = new HashSet<string>(records.Count, StringComparer.Ordinal);
        List<EventRecord>? firsts = null;
        for (var i = 0; i < records.Count; i++)
        {
            if (keys.Add(records[i].DedupeKey)) firsts?.Add(records[i]);
            else firsts ??= [.. records.Take(i)];
        }
        return firsts ?? records;
    }

    public async Task<IReadOnlySet<string>> UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        var changedInstances = new HashSet<string>(StringComparer.Ordinal);
        foreach (var slice in records.Chunk(SliceSize))
        {
            await InWriteTransactionAsync(async tx =>
            {
                var update = BatchCommand(ReclassifySql(slice.Min(r => r.ReceivedAt).ToUnixTimeMilliseconds(), slice.Max(r => r.ReceivedAt).ToUnixTimeMilliseconds()),
                    Array(slice.Select(r => r.Category).ToArray()), Array(slice.Select(r => r.Severity).ToArray()),
                    Array(slice.Select(r => r.RuleId).ToArray()), Array(slice.Select(r => r.Evidence).ToArray()),
                    Array(slice.Select(r => r.RulesetVersion).ToArray()), Array(slice.Select(r => r.IsFailure).ToArray()),
                    Array(slice.Select(r => r.Hints).ToArray()), Array(slice.Select(r => r.Id).ToArray()));
                var before = new Dictionary<long, (string Category, string Severity, bool Failure, long Received)>();
                await using (var reader = await tx.ReadAsync(cancellationToken, update))
                    while (await reader.ReadAsync(cancellationToken))
                        before[reader.GetInt64(0)] = (reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetInt64(4));
                foreach (var record in slice)
                    if (before.TryGetValue(record.Id, out var was) &&
                        tx.Counts.Reclassified(was.Category, was.Severity, was.Failure, DateTimeOffset.FromUnixTimeMilliseconds(was.Received), record))
                        changedInstances.Add(record.InstanceKey);
                tx.Notice = CommitNotice.Of(CommitKinds.Classification, slice.Select(r => r.InstanceKey));
                return 0;
            }, cancellationToken);
        }
        return changedInstances;
    }

    public async Task RebuildInstanceStatesAsync(IReadOnlyCollection<string> instanceKeys, CancellationToken cancellationToken)
    {
        foreach (var keys in instanceKeys.Chunk(SliceSize))
        {
            await InWriteTransactionAsync(async tx =>
            {
                Dictionary<string, Stored> before;
                var states = new Dictionary<string, Delta>(StringComparer.Ordinal);
                await using (var reader = await tx.ReadAsync(cancellationToken, StoredStatesCommand(keys), BatchCommand(InstanceRecordsSql, Array(keys))))
                {
                    before = await ReadStoredStatesAsync(reader, cancellationToken);
                    await reader.NextResultAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                        Accumulate(states, new Candidate(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                            Text(reader, 5), reader.GetString(6), reader.GetString(7), reader.GetBoolean(8), Text(reader, 9),
                            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)), Text(reader, 11)));
                }
                tx.BeforeCommit.Add(BatchCommand("DELETE FROM instance_states WHERE InstanceKey = ANY($1)", Array(keys)));
                if (states.Count > 0) tx.BeforeCommit.Add(InsertStatesCommand(states.Values.ToList()));
                foreach (var key in keys)
                    CountFailing(before.TryGetValue(key, out var was) ? was : null, states.GetValueOrDefault(key)?.Current, tx.Counts.AddFailing);
                tx.Notice = CommitNotice.Of(CommitKinds.Classification, keys);
                return 0;
            }, cancellationToken);
        }
    }

    public async Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await RecordStoreReads.FailuresPerHourAsync(connection, since, cancellationToken);
    }

    /// <summary>
    /// Retention by day partitions: on a run's first call, days wholly past the cut go as whole tables
    /// (<see cref="DropExpiredDaysAsync"/>) and the days ahead are created; then, in short transactions under the write lock,
    /// the rows that remain past the cut are deleted like on SQLite: those of days kept because some of their rows explain a
    /// current state, and the oldest beyond <c>Retention:MaxRecords</c>. The cut is moved back to the start of its day: a
    /// day's rows go together, at most a day after <c>Retention:MaxAge</c>.
    /// </summary>
    public async Task<RetentionBatch> DeleteExpiredAsync(RetentionCut cut, CancellationToken cancellationToken)
    {
        var dayStart = RecordPartitions.DayOf(cut.Cutoff.ToUnixTimeMilliseconds()) * RecordPartitions.DayMs;
        cut = cut with { Cutoff = DateTimeOffset.FromUnixTimeMilliseconds(dayStart) };
        RetentionBatch? dropped = null;
        if (cut.AfterId == long.MinValue)
        {
            await RecordPartitions.EnsureAheadAsync(dataSource, DateTimeOffset.UtcNow, cancellationToken);
            dropped = await DropExpiredDaysAsync(dayStart, cancellationToken);
            cut = cut with { Excess = Math.Max(0, cut.Excess - dropped.Deleted) };
        }
        var batch = await InWriteTransactionAsync(async tx =>
        {
            var connection = await tx.LockedConnectionAsync(cancellationToken);
            var candidates = RecordRetention.Oldest(connection, null, cut);
            var doomed = new List<long>();
            var walked = RecordRetention.Walk(cut, candidates, tx.Counts, doomed.Add, () => false);
            await using (var delete = Command(connection, """
                WITH gone AS (DELETE FROM records WHERE Id = ANY($1) RETURNING DedupeKey)
                DELETE FROM record_dedupe WHERE DedupeKey IN (SELECT DedupeKey FROM gone)
                """, Array(doomed.ToArray())))
                await delete.ExecuteNonQueryAsync(cancellationToken);
            RecordRetention.DropEmptyHours(connection, null, candidates);
            if (walked.Deleted > 0) tx.Notice = CommitNotice.Of(CommitKinds.Retention, walked.InstanceKeys);
            return walked;
        }, cancellationToken);
        if (dropped is null || dropped.Deleted == 0) return batch;
        return batch with
        {
            Deleted = batch.Deleted + dropped.Deleted,
            InstanceKeys = new HashSet<string>(batch.InstanceKeys.Concat(dropped.InstanceKeys), StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Drops the day partitions wholly before <paramref name="beforeMs"/> that hold no row explaining a current state
    /// (a day with such a row stays, and its other rows go by the batched deletes). Per day: its dedupe keys go in
    /// chunks, the partition is detached CONCURRENTLY (ingest keeps writing meanwhile) and its rows counted, and then,
    /// under the write lock, checked again: still unreferenced, its rows leave the counters and the table is dropped;
    /// referenced meanwhile, it is attached again with its keys. A day left detached by a crash is finished on the next
    /// run. Ingest waits for one key chunk or the last check and drop at most, never for a whole day's rows.
    /// </summary>
    private async Task<RetentionBatch> DropExpiredDaysAsync(long beforeMs, CancellationToken cancellationToken)
    {
        var deleted = 0;
        var touched = new HashSet<string>(StringComparer.Ordinal);
        List<(string Name, long Day, bool Attached)> expired;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            expired = await RecordPartitions.ExpiredAsync(connection, beforeMs, cancellationToken);
        foreach (var (name, day, attached) in expired)
        {
            var range = $"ReceivedAt >= {day * RecordPartitions.DayMs} AND ReceivedAt < {(day + 1) * RecordPartitions.DayMs}";
            if (attached)
            {
                await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
                await using (var kept = Command(connection, RecordPartitions.KeptSql(name)))
                    if ((bool)(await kept.ExecuteScalarAsync(cancellationToken))!) continue;
                // A chunk per transaction: ingest waits for one chunk at most, not for a whole day's keys.
                while (await InWriteTransactionAsync(async tx =>
                {
                    await using var keys = Command(await tx.LockedConnectionAsync(cancellationToken),
                        $"DELETE FROM record_dedupe WHERE DedupeKey IN (SELECT DedupeKey FROM record_dedupe WHERE {range} LIMIT {KeyChunk})");
                    return await keys.ExecuteNonQueryAsync(cancellationToken);
                }, cancellationToken) == KeyChunk) { }
            }
            await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
            {
                await using var pending = Command(connection, $"SELECT EXISTS (SELECT 1 FROM pg_inherits WHERE inhrelid = '{name}'::regclass)");
                if ((bool)(await pending.ExecuteScalarAsync(cancellationToken))!)
                {
                    var finalize = attached ? "CONCURRENTLY" : "FINALIZE";
                    await using var detach = Command(connection, $"ALTER TABLE records DETACH PARTITION {name} {finalize}");
                    await detach.ExecuteNonQueryAsync(cancellationToken);
                }
            }
            // Detached, the day's rows change no more: what they count and which instances they touch is read before
            // the write lock is taken, which then covers only the last check and the drop.
            var (groups, instanceKeys) = await DayContentsAsync(name, cancellationToken);
            var gone = await InWriteTransactionAsync(async tx =>
            {
                var connection = await tx.LockedConnectionAsync(cancellationToken);
                await using (var kept = Command(connection, RecordPartitions.KeptSql(name)))
                    if ((bool)(await kept.ExecuteScalarAsync(cancellationToken))!)
                    {
                        await using var attach = Command(connection, $"""
                            ALTER TABLE records ATTACH PARTITION {name} FOR VALUES FROM ({day * RecordPartitions.DayMs}) TO ({(day + 1) * RecordPartitions.DayMs});
                            INSERT INTO record_dedupe SELECT DedupeKey, Id, ReceivedAt FROM {name} ON CONFLICT (DedupeKey) DO NOTHING
                            """);
                        await attach.ExecuteNonQueryAsync(cancellationToken);
                        return 0;
                    }
                foreach (var (category, failure, hour, count) in groups)
                    tx.Counts.Add(category, failure, DateTimeOffset.FromUnixTimeMilliseconds(hour * 3_600_000), -count);
                touched.UnionWith(instanceKeys);
                tx.BeforeCommit.Add(new NpgsqlBatchCommand($"DROP TABLE {name}"));
                tx.Notice = CommitNotice.Of(CommitKinds.Retention, instanceKeys);
                return groups.Sum(g => g.Count);
            }, cancellationToken);
            deleted += gone;
        }
        if (deleted > 0)
            await InWriteTransactionAsync(async tx =>
            {
                // Hours the dropped days emptied carry nothing (after the counters are written, hence a second transaction).
                await using var empty = Command(await tx.LockedConnectionAsync(cancellationToken),
                    RecordRetention.EmptyHoursSql.Replace("@hour", "$1", StringComparison.Ordinal), Value(beforeMs / 3_600_000));
                return await empty.ExecuteNonQueryAsync(cancellationToken);
            }, cancellationToken);
        return new RetentionBatch(deleted, 0, touched, null);
    }

    /// <summary>A detached day's rows per category, failure flag and hour, and the instances they belong to.</summary>
    private async Task<(List<(string Category, bool Failure, long Hour, int Count)> Groups, List<string> InstanceKeys)> DayContentsAsync(
        string table, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var groups = new List<(string, bool, long, int)>();
        var instanceKeys = new List<string>();
        await using (var command = Command(connection, $"SELECT Category, IsFailure, ReceivedAt / 3600000, COUNT(*)::int FROM {table} GROUP BY 1, 2, 3"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) groups.Add((reader.GetString(0), reader.GetBoolean(1), reader.GetInt64(2), reader.GetInt32(3)));
        await using (var command = Command(connection, $"SELECT DISTINCT InstanceKey FROM {table}"))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            while (await reader.ReadAsync(cancellationToken)) instanceKeys.Add(reader.GetString(0));
        return (groups, instanceKeys);
    }

    /// <summary>Nothing to do: autovacuum makes deleted rows' space reusable (only VACUUM FULL would shrink the files, and it locks the table).</summary>
    public Task ReleaseFreeSpaceAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<StorageFigures> StorageFiguresAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (records, oldest) = await RecordRetention.FiguresAsync(connection, cancellationToken);
        await using var size = Command(connection, "SELECT pg_database_size(current_database())");
        return new StorageFigures(records, oldest, (long)(await size.ExecuteScalarAsync(cancellationToken))!);
    }

    private const string StoredOriginsSql = """
        SELECT Source, Origin, Kind, LastSeenAt, LastHour FROM source_origins
        WHERE (Source, Origin) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        """;

    private const string SaveOriginsSql = """
        INSERT INTO source_origins (Source, Origin, Kind, LastSeenAt, LastHour) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[])
        ON CONFLICT (Source, Origin) DO UPDATE SET Kind = excluded.Kind, LastSeenAt = excluded.LastSeenAt, LastHour = excluded.LastHour
        """;

    /// <summary>Senders saved per write transaction: up to Sources:MaxTracked of them are due at once after a start-up.</summary>
    internal const int SourceOriginsPerTransaction = 500;

    /// <summary>Read and merged under the cluster-wide write lock, so two nodes saving the same sender take turns and neither count is lost.</summary>
    public async Task SaveSourceOriginsAsync(IReadOnlyList<SourceOrigin> sightings, long hourAgo, CancellationToken cancellationToken)
    {
        foreach (var chunk in sightings.Chunk(SourceOriginsPerTransaction))
            await InWriteTransactionAsync(async tx =>
            {
                var stored = new Dictionary<(string Source, string Origin), SourceOrigin>();
                await using (var reader = await tx.ReadAsync(cancellationToken, BatchCommand(StoredOriginsSql,
                                 Array(chunk.Select(s => s.Source).ToArray()), Array(chunk.Select(s => s.Origin).ToArray()))))
                    while (await reader.ReadAsync(cancellationToken))
                        stored[(reader.GetString(0), reader.GetString(1))] = new SourceOrigin
                        {
                            Source = reader.GetString(0), Origin = reader.GetString(1), Kind = reader.GetString(2),
                            LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)), LastHour = Text(reader, 4),
                        };
                var merged = chunk.Select(s => s.MergedInto(stored.GetValueOrDefault((s.Source, s.Origin)), hourAgo)).ToList();
                tx.BeforeCommit.Add(BatchCommand(SaveOriginsSql, Array(merged.Select(m => m.Source).ToArray()), Array(merged.Select(m => m.Origin).ToArray()),
                    Array(merged.Select(m => m.Kind).ToArray()), Array(merged.Select(m => m.LastSeenAt.ToUnixTimeMilliseconds()).ToArray()),
                    Array(merged.Select(m => m.LastHour).ToArray())));
                return 0;
            }, cancellationToken);
    }

    /// <summary>Merges each instance's batch into its stored row or adds the row, by <see cref="InstanceStateRules.Merge"/>.</summary>
    private static void WriteStates(WriteTransaction tx, IReadOnlyList<Delta> deltas, Dictionary<string, Stored> stored)
    {
        var inserts = new List<Delta>();
        var merges = new List<Delta>();
        var current = new List<bool>();
        foreach (var delta in deltas)
        {
            if (Merge(delta, stored.TryGetValue(delta.Current.InstanceKey, out var row) ? row : null, tx.Counts.AddFailing) is { } isCurrent)
            {
                merges.Add(delta);
                current.Add(isCurrent);
            }
            else inserts.Add(delta);
        }
        if (inserts.Count > 0) tx.BeforeCommit.Add(InsertStatesCommand(inserts));
        if (merges.Count > 0) tx.BeforeCommit.Add(MergeStatesCommand(merges, current));
    }

    private static NpgsqlBatchCommand StoredStatesCommand(string[] keys) => BatchCommand(StoredStatesSql, Array(keys));

    private static async Task<Dictionary<string, Stored>> ReadStoredStatesAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, Stored>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            stored[reader.GetString(0)] = new Stored(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), reader.GetBoolean(2), reader.GetString(3), reader.GetString(4));
        return stored;
    }

    private static NpgsqlBatchCommand InsertStatesCommand(IReadOnlyList<Delta> deltas)
    {
        var n = deltas.Count;
        var (keys, kinds, sources, names, locations) = (new string[n], new string[n], new string[n], new string[n], new string?[n]);
        var (categories, severities, failing, messages, recordIds) = (new string[n], new string[n], new bool[n], new string?[n], new long[n]);
        var (seenAt, identities, failures, firstFailures, lastFailures) = (new long[n], new string?[n], new int[n], new long?[n], new long?[n]);
        for (var i = 0; i < n; i++)
        {
            var (d, c) = (deltas[i], deltas[i].Current);
            (keys[i], kinds[i], sources[i], names[i], locations[i]) = (c.InstanceKey, c.Kind, c.Source, c.DisplayName, c.Location);
            (categories[i], severities[i], failing[i], messages[i], recordIds[i]) = (c.Category, c.Severity, c.IsFailure, c.Message, c.Id);
            (seenAt[i], identities[i], failures[i]) = (c.At.ToUnixTimeMilliseconds(), c.Identity, d.Failures);
            (firstFailures[i], lastFailures[i]) = (d.FirstFailure?.ToUnixTimeMilliseconds(), d.LastFailure?.ToUnixTimeMilliseconds());
        }
        return BatchCommand(InsertStatesSql, Array(keys), Array(kinds), Array(sources), Array(names), Array(locations), Array(categories),
            Array(severities), Array(failing), Array(messages), Array(recordIds), Array(seenAt), Array(identities), Array(failures),
            Array(firstFailures), Array(lastFailures));
    }

    /// <summary>The columns <see cref="MergeStatesSql"/> reads, in its order; <paramref name="current"/> per delta.</summary>
    private static NpgsqlBatchCommand MergeStatesCommand(IReadOnlyList<Delta> deltas, IReadOnlyList<bool> current)
    {
        var n = deltas.Count;
        var (keys, names, locations, identities, categories) = (new string[n], new string[n], new string?[n], new string?[n], new string[n]);
        var (severities, failing, messages, recordIds, seenAt) = (new string[n], new bool[n], new string?[n], new long[n], new long[n]);
        var (failures, firstFailures, lastFailures, isCurrent) = (new int[n], new long?[n], new long?[n], new bool[n]);
        for (var i = 0; i < n; i++)
        {
            var (d, c) = (deltas[i], deltas[i].Current);
            (keys[i], names[i], locations[i], identities[i], categories[i]) = (c.InstanceKey, c.DisplayName, c.Location, c.Identity, c.Category);
            (severities[i], failing[i], recordIds[i], seenAt[i]) = (c.Severity, c.IsFailure, c.Id, c.At.ToUnixTimeMilliseconds());
            messages[i] = current[i] ? c.Message : null;
            (failures[i], isCurrent[i]) = (d.Failures, current[i]);
            (firstFailures[i], lastFailures[i]) = (d.FirstFailure?.ToUnixTimeMilliseconds(), d.LastFailure?.ToUnixTimeMilliseconds());
        }
        return BatchCommand(MergeStatesSql, Array(keys), Array(names), Array(locations), Array(identities), Array(categories), Array(severities),
            Array(failing), Array(messages), Array(recordIds), Array(seenAt), Array(failures), Array(firstFailures), Array(lastFailures), Array(isCurrent));
    }

    private static IEnumerable<NpgsqlBatchCommand> CountCommands(CounterChanges counts)
    {
        var categories = counts.Categories.ToList();
        var hours = counts.FailureHours.ToList();
        if (categories.Count > 0)
            yield return BatchCommand(CategoryCountsSql, Array(categories.Select(c => c.Category).ToArray()),
                Array(categories.Select(c => c.Records).ToArray()), Array(categories.Select(c => c.Failing).ToArray()));
        if (hours.Count > 0)
            yield return BatchCommand(FailureHoursSql, Array(hours.Select(h => h.Hour).ToArray()), Array(hours.Select(h => h.Failures).ToArray()));
    }

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction holding the cluster-wide write lock, then sends the statements it
    /// left for the end, the counter changes it gathered, its notice's NOTIFY and the COMMIT in one batch. The
    /// transaction is opened and closed by SQL inside the batches rather than by NpgsqlTransaction, whose commit is a
    /// round trip of its own (a third per ingest request); a failure leaves it open on the connection, and Npgsql rolls
    /// it back when the connection goes back to the pool. One writer per node queues in memory rather than as idle
    /// connections on the server.
    /// </summary>
    private async Task<T> InWriteTransactionAsync<T>(Func<WriteTransaction, Task<T>> work, CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            var tx = new WriteTransaction(connection);
            var result = await work(tx);
            tx.BeforeCommit.AddRange(CountCommands(tx.Counts));
            if (tx.Notice is { } notice && commits is not null) tx.BeforeCommit.Add(commits.NotifyCommand(notice));
            tx.BeforeCommit.Add(new NpgsqlBatchCommand("COMMIT"));
            await (await tx.ReadAsync(cancellationToken, [.. tx.BeforeCommit])).DisposeAsync();
            storage?.ReportSuccess();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>
    /// One write transaction's statements: the first batch sent carries the BEGIN and the advisory lock in front (one
    /// round trip for all), so nothing reads or writes before the lock is held.
    /// </summary>
    private sealed class WriteTransaction(NpgsqlConnection connection)
    {
        private bool _locked;

        public CounterChanges Counts { get; } = new();

        /// <summary>What the commit changed, for the other nodes: delivered by PostgreSQL when (and only if) it commits.</summary>
        public CommitNotice? Notice { get; set; }

        /// <summary>Statements whose results nobody reads, sent with the counters just before the commit.</summary>
        public List<NpgsqlBatchCommand> BeforeCommit { get; } = [];

        /// <summary>Sends <paramref name="commands"/> in one round trip; the reader starts at the first one's results.</summary>
        public async Task<NpgsqlDataReader> ReadAsync(CancellationToken cancellationToken, params NpgsqlBatchCommand[] commands)
        {
            var batch = new NpgsqlBatch(connection);
            var locking = !_locked;
            if (locking)
            {
                batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
                batch.BatchCommands.Add(BatchCommand("SELECT pg_advisory_xact_lock($1)", Value(WriteLockKey)));
            }
            foreach (var command in commands) batch.BatchCommands.Add(command);
            _locked = true;
            var reader = await batch.ExecuteReaderAsync(cancellationToken);
            if (locking) await reader.NextResultAsync(cancellationToken);
            return reader;
        }

        /// <summary>The connection for statements sent one by one, once the lock is held.</summary>
        public async Task<NpgsqlConnection> LockedConnectionAsync(CancellationToken cancellationToken)
        {
            if (!_locked) await (await ReadAsync(cancellationToken)).DisposeAsync();
            return connection;
        }
    }

    public void Dispose() => _writeLock.Dispose();

    /// <summary>A small committed write that allocates space: whether the server takes writes again (see <see cref="StorageHealth"/>).</summary>
    internal static async Task ProbeWriteAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var probe = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                new("CREATE TABLE IF NOT EXISTS storage_probe (Data bytea)"),
                new("INSERT INTO storage_probe VALUES (decode(repeat('00', 65536), 'hex'))"),
                new("DELETE FROM storage_probe"),
            },
        };
        await probe.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The record columns as arrays, in <see cref="Sqlite.SqliteRecordStore.RecordColumns"/> order; shared with the raw-insert benchmark baseline.</summary>
    internal static NpgsqlParameter[] RecordArrays(IReadOnlyList<EventRecord> r) =>
    [
        Array(r.Select(x => x.Kind).ToArray()), Array(r.Select(x => x.Source).ToArray()), Array(r.Select(x => x.Format).ToArray()),
        Array(r.Select(x => x.Entry).ToArray()), Array(r.Select(x => x.InstanceKey).ToArray()), Array(r.Select(x => x.InstanceName).ToArray()),
        Array(r.Select(x => x.Location).ToArray()), Array(r.Select(x => x.RequestId).ToArray()), Array(r.Select(x => x.State).ToArray()),
        Array(r.Select(x => x.ExitCode).ToArray()), Array(r.Select(x => x.RestartCount).ToArray()), Array(r.Select(x => x.Signal).ToArray()),
        Array(r.Select(x => x.Reason).ToArray()), Array(r.Select(x => x.Message).ToArray()), Array(r.Select(x => x.ErrorCode).ToArray()),
        Array(r.Select(x => x.HttpCode).ToArray()), Array(r.Select(x => x.Stage).ToArray()),
        Array(r.Select(x => x.OccurredAt.ToUnixTimeMilliseconds()).ToArray()), Array(r.Select(x => x.ReceivedAt.ToUnixTimeMilliseconds()).ToArray()),
        Array(r.Select(x => x.LastSeenAt.ToUnixTimeMilliseconds()).ToArray()), Array(r.Select(x => x.OccurrenceCount).ToArray()),
        Array(r.Select(x => x.Category).ToArray()), Array(r.Select(x => x.Severity).ToArray()), Array(r.Select(x => x.RuleId).ToArray()),
        Array(r.Select(x => x.Evidence).ToArray()), Array(r.Select(x => x.RulesetVersion).ToArray()), Array(r.Select(x => x.IsFailure).ToArray()),
        Array(r.Select(x => x.Hints).ToArray()), Array(r.Select(x => x.DerivedFrom).ToArray()), Array(r.Select(x => x.DedupeKey).ToArray()),
        Array(r.Select(x => x.Truncated).ToArray()), Array(r.Select(x => x.RawJson).ToArray()), Array(r.Select(x => x.Identity).ToArray()),
        Array(r.Select(x => x.SourceTimeUntrusted?.ToUnixTimeMilliseconds()).ToArray()),
    ];

    private static string Positions(int from, int to) => string.Join(", ", Enumerable.Range(from, to - from + 1).Select(i => $"${i}"));

    internal static NpgsqlParameter Array<T>(T[] values) => new NpgsqlParameter<T[]> { TypedValue = values };

    private static NpgsqlParameter Value<T>(T value) => new NpgsqlParameter<T> { TypedValue = value };

    private static string? Text(NpgsqlDataReader reader, int column) => reader.IsDBNull(column) ? null : reader.GetString(column);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return command;
    }

    private static NpgsqlBatchCommand BatchCommand(string sql, params NpgsqlParameter[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        command.Parameters.AddRange(parameters);
        return command;
    }
}
