using Microsoft.Data.Sqlite;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// SQLite write path: one IMMEDIATE transaction per request, prepared commands reused for every row,
/// and one instance-state upsert per instance. EF Core owns the schema; this class only writes rows.
/// </summary>
public sealed class SqliteRecordStore(SqliteConnectionFactory connections) : IRecordStore
{
    // SQLite has one writer; queueing here is cheaper than SQLITE_BUSY retries.
    private static readonly SemaphoreSlim WriteLock = new(1, 1);

    internal const string RecordColumns =
        "Kind, Source, Format, Entry, InstanceKey, InstanceName, Location, RequestId, State, ExitCode, RestartCount, Signal, Reason, " +
        "Message, ErrorCode, HttpCode, Stage, OccurredAt, ReceivedAt, LastSeenAt, OccurrenceCount, Category, Severity, RuleId, Evidence, " +
        "RulesetVersion, IsFailure, Hints, DerivedFrom, DedupeKey, Truncated, RawJson";

    internal static readonly string InsertSql =
        $"INSERT INTO records ({RecordColumns}) VALUES ({string.Join(", ", RecordColumns.Split(", ").Select(c => "$" + c))})";

    private const string UpsertStateSql = """
        INSERT INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage,
                                     LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt)
        VALUES ($key, $kind, $source, $name, $location, $category, $severity, $failing, $message, $recordId, $seen, $failures, $firstFailure, $lastFailure)
        ON CONFLICT (InstanceKey) DO UPDATE SET
            DisplayName = excluded.DisplayName,
            Location = COALESCE(excluded.Location, Location),
            Category = excluded.Category,
            Severity = excluded.Severity,
            IsFailing = excluded.IsFailing,
            LastMessage = excluded.LastMessage,
            LastRecordId = excluded.LastRecordId,
            LastSeenAt = MAX(LastSeenAt, excluded.LastSeenAt),
            FailureCount = FailureCount + excluded.FailureCount,
            FirstFailureAt = CASE WHEN FirstFailureAt IS NULL THEN excluded.FirstFailureAt
                                  WHEN excluded.FirstFailureAt IS NULL THEN FirstFailureAt
                                  ELSE MIN(FirstFailureAt, excluded.FirstFailureAt) END,
            LastFailureAt = CASE WHEN LastFailureAt IS NULL THEN excluded.LastFailureAt
                                 WHEN excluded.LastFailureAt IS NULL THEN LastFailureAt
                                 ELSE MAX(LastFailureAt, excluded.LastFailureAt) END
        """;

    public Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken) =>
        InWriteTransactionAsync<IReadOnlyList<StoredRecord>>((connection, transaction) =>
        {
            var results = new StoredRecord[records.Count];
            using var insert = CreateInsert(connection, transaction, " ON CONFLICT (DedupeKey) DO NOTHING");
            using var existing = Prepare(connection, transaction, "SELECT Id, OccurrenceCount FROM records WHERE DedupeKey = $key", "$key");

            var states = new Dictionary<string, InstanceStateDelta>(StringComparer.Ordinal);
            for (var i = 0; i < records.Count; i++)
            {
                var record = records[i];
                BindRecord(insert, record);
                // No RETURNING reader per row: the insert either added one row (its rowid is the id) or hit the dedupe key.
                if (insert.ExecuteNonQuery() == 1)
                {
                    var id = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
                    record.Id = id;
                    results[i] = new StoredRecord(id, Duplicate: false, Updated: false);
                    Accumulate(states, record);
                    continue;
                }

                existing.Parameters[0].Value = record.DedupeKey;
                using var reader = existing.ExecuteReader();
                reader.Read();
                var existingId = reader.GetInt64(0);
                var existingCount = reader.GetInt32(1);
                reader.Close();
                record.Id = existingId;
                // A repeated Kubernetes Event (or ACA row) with a higher count is the same fact seen more often.
                var updated = record.OccurrenceCount > existingCount && UpdateOccurrence(connection, transaction, existingId, record);
                results[i] = new StoredRecord(existingId, Duplicate: true, Updated: updated);
            }

            using (var upsert = Prepare(connection, transaction, UpsertStateSql, "$key", "$kind", "$source", "$name", "$location", "$category",
                       "$severity", "$failing", "$message", "$recordId", "$seen", "$failures", "$firstFailure", "$lastFailure"))
            using (var stored = Prepare(connection, transaction, StoredStateSql, "$key"))
            {
                foreach (var state in states.Values)
                {
                    var p = upsert.Parameters;
                    var current = state.Current;
                    var deciding = Deciding(stored, state);
                    p[0].Value = current.InstanceKey;
                    p[1].Value = current.Kind;
                    p[2].Value = current.Source;
                    p[3].Value = current.InstanceName;
                    p[4].Value = (object?)current.Location ?? DBNull.Value;
                    p[5].Value = deciding.Category;
                    p[6].Value = deciding.Severity;
                    p[7].Value = deciding.IsFailing;
                    p[8].Value = (object?)deciding.Message ?? DBNull.Value;
                    p[9].Value = deciding.RecordId;
                    p[10].Value = current.OccurredAt.ToUnixTimeMilliseconds();
                    p[11].Value = state.Failures;
                    p[12].Value = (object?)state.FirstFailure?.ToUnixTimeMilliseconds() ?? DBNull.Value;
                    p[13].Value = (object?)state.LastFailure?.ToUnixTimeMilliseconds() ?? DBNull.Value;
                    upsert.ExecuteNonQuery();
                }
            }

            return results;
        }, cancellationToken);

    public Task UpdateClassificationAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken) =>
        InWriteTransactionAsync((connection, transaction) =>
        {
            using var update = Prepare(connection, transaction, """
                UPDATE records SET Category = $category, Severity = $severity, RuleId = $rule, Evidence = $evidence,
                                   RulesetVersion = $version, IsFailure = $failure, Hints = $hints
                WHERE Id = $id
                """, "$category", "$severity", "$rule", "$evidence", "$version", "$failure", "$hints", "$id");
            foreach (var record in records)
            {
                var p = update.Parameters;
                p[0].Value = record.Category;
                p[1].Value = record.Severity;
                p[2].Value = record.RuleId;
                p[3].Value = record.Evidence;
                p[4].Value = record.RulesetVersion;
                p[5].Value = record.IsFailure;
                p[6].Value = (object?)record.Hints ?? DBNull.Value;
                p[7].Value = record.Id;
                update.ExecuteNonQuery();
            }
            return true;
        }, cancellationToken);

    public Task RebuildInstanceStatesAsync(CancellationToken cancellationToken) =>
        InWriteTransactionAsync((connection, transaction) =>
        {
            // Same rule as the write path (ActiveCondition): failures at or after the last non-failure are active and the
            // worst of them decides (then the newest); with none active, the newest record does, a failure winning a tie.
            using var rebuild = Prepare(connection, transaction, """
                DELETE FROM instance_states;
                INSERT INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage,
                                             LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt)
                SELECT n.InstanceKey, n.Kind, n.Source, n.InstanceName, n.Location, d.Category, d.Severity, d.IsFailure, d.Message,
                       d.Id, n.OccurredAt, a.Failures, a.FirstFailure, a.LastFailure
                FROM (SELECT InstanceKey, SUM(IsFailure) AS Failures,
                             MIN(CASE WHEN IsFailure THEN OccurredAt END) AS FirstFailure,
                             MAX(CASE WHEN IsFailure THEN OccurredAt END) AS LastFailure,
                             MAX(CASE WHEN NOT IsFailure THEN OccurredAt END) AS ClearedAt
                      FROM records GROUP BY InstanceKey) a
                JOIN (SELECT *, ROW_NUMBER() OVER (PARTITION BY InstanceKey ORDER BY OccurredAt DESC, IsFailure DESC, Id DESC) AS rn FROM records) n
                  ON n.InstanceKey = a.InstanceKey AND n.rn = 1
                JOIN (SELECT r.*, ROW_NUMBER() OVER (PARTITION BY r.InstanceKey ORDER BY
                             CASE WHEN r.IsFailure AND (c.ClearedAt IS NULL OR r.OccurredAt >= c.ClearedAt) THEN 0 ELSE 1 END,
                             CASE WHEN r.IsFailure AND (c.ClearedAt IS NULL OR r.OccurredAt >= c.ClearedAt)
                                  THEN CASE r.Severity WHEN 'critical' THEN 0 WHEN 'error' THEN 1 WHEN 'warning' THEN 2 WHEN 'info' THEN 3 ELSE 4 END
                                  ELSE 0 END,
                             r.OccurredAt DESC, r.IsFailure DESC, r.Id DESC) AS rn
                      FROM records r
                      JOIN (SELECT InstanceKey, MAX(CASE WHEN NOT IsFailure THEN OccurredAt END) AS ClearedAt FROM records GROUP BY InstanceKey) c
                        ON c.InstanceKey = r.InstanceKey) d
                  ON d.InstanceKey = a.InstanceKey AND d.rn = 1;
                """);
            return rebuild.ExecuteNonQuery();
        }, cancellationToken);

    /// <summary>Runs <paramref name="work"/> in one IMMEDIATE transaction under the single-writer lock; commits when it returns.</summary>
    private async Task<T> InWriteTransactionAsync<T>(Func<SqliteConnection, SqliteTransaction, T> work, CancellationToken cancellationToken)
    {
        await WriteLock.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            var result = work(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            WriteLock.Release();
        }
    }

    private static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        foreach (var name in parameters) command.Parameters.Add(new SqliteParameter { ParameterName = name });
        command.Prepare();
        return command;
    }

    /// <summary>A prepared insert with one parameter per record column; shared with the raw-insert benchmark baseline.</summary>
    internal static SqliteCommand CreateInsert(SqliteConnection connection, SqliteTransaction transaction, string suffix = "") =>
        Prepare(connection, transaction, InsertSql + suffix, [.. RecordColumns.Split(", ").Select(c => "$" + c)]);

    internal static void BindRecord(SqliteCommand command, EventRecord r)
    {
        var p = command.Parameters;
        p[0].Value = r.Kind;
        p[1].Value = r.Source;
        p[2].Value = r.Format;
        p[3].Value = r.Entry;
        p[4].Value = r.InstanceKey;
        p[5].Value = r.InstanceName;
        p[6].Value = (object?)r.Location ?? DBNull.Value;
        p[7].Value = (object?)r.RequestId ?? DBNull.Value;
        p[8].Value = (object?)r.State ?? DBNull.Value;
        p[9].Value = (object?)r.ExitCode ?? DBNull.Value;
        p[10].Value = (object?)r.RestartCount ?? DBNull.Value;
        p[11].Value = (object?)r.Signal ?? DBNull.Value;
        p[12].Value = (object?)r.Reason ?? DBNull.Value;
        p[13].Value = (object?)r.Message ?? DBNull.Value;
        p[14].Value = (object?)r.ErrorCode ?? DBNull.Value;
        p[15].Value = (object?)r.HttpCode ?? DBNull.Value;
        p[16].Value = (object?)r.Stage ?? DBNull.Value;
        p[17].Value = r.OccurredAt.ToUnixTimeMilliseconds();
        p[18].Value = r.ReceivedAt.ToUnixTimeMilliseconds();
        p[19].Value = r.LastSeenAt.ToUnixTimeMilliseconds();
        p[20].Value = r.OccurrenceCount;
        p[21].Value = r.Category;
        p[22].Value = r.Severity;
        p[23].Value = r.RuleId;
        p[24].Value = r.Evidence;
        p[25].Value = r.RulesetVersion;
        p[26].Value = r.IsFailure;
        p[27].Value = (object?)r.Hints ?? DBNull.Value;
        p[28].Value = (object?)r.DerivedFrom ?? DBNull.Value;
        p[29].Value = r.DedupeKey;
        p[30].Value = (object?)r.Truncated ?? DBNull.Value;
        p[31].Value = r.RawJson;
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

    private const string StoredStateSql =
        "SELECT Category, Severity, IsFailing, LastMessage, LastRecordId, LastSeenAt, LastFailureAt FROM instance_states WHERE InstanceKey = $key";

    /// <summary>The record that decides an instance's state once this batch joins what was stored (<see cref="ActiveCondition"/>).</summary>
    private static DecidingRecord Deciding(SqliteCommand stored, InstanceStateDelta state)
    {
        stored.Parameters[0].Value = state.Current.InstanceKey;
        DecidingRecord? before = null;
        DateTimeOffset? newestAt = null, lastFailureAt = null;
        using (var reader = stored.ExecuteReader())
        {
            if (reader.Read())
            {
                before = new DecidingRecord(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2),
                    reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetInt64(4));
                newestAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5));
                lastFailureAt = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6));
            }
        }
        var storedFact = before is null ? (ActiveCondition.Fact?)null
            : new ActiveCondition.Fact(before.RecordId, lastFailureAt ?? newestAt!.Value, before.IsFailing, before.Severity);
        var facts = state.Records.Select(r => new ActiveCondition.Fact(r.Id, r.OccurredAt, r.IsFailure, r.Severity)).ToList();
        var decided = ActiveCondition.Decide(storedFact, newestAt, lastFailureAt, facts);
        if (before is not null && decided == storedFact) return before;
        var record = state.Records.First(r => r.Id == decided.RecordId);
        return new DecidingRecord(record.Category, record.Severity, record.IsFailure, record.Message, record.Id);
    }

    /// <summary>Counts per instance in one batch, its newest record (identity, last seen) and every record for the decision.</summary>
    private static void Accumulate(Dictionary<string, InstanceStateDelta> states, EventRecord record)
    {
        if (!states.TryGetValue(record.InstanceKey, out var state))
        {
            state = new InstanceStateDelta(record);
            states[record.InstanceKey] = state;
        }
        else if (record.OccurredAt > state.Current.OccurredAt || (record.OccurredAt == state.Current.OccurredAt && record.IsFailure))
        {
            state.Current = record;
        }
        state.Records.Add(record);

        if (!record.IsFailure) return;
        state.Failures++;
        if (state.FirstFailure is null || record.OccurredAt < state.FirstFailure) state.FirstFailure = record.OccurredAt;
        if (state.LastFailure is null || record.OccurredAt > state.LastFailure) state.LastFailure = record.OccurredAt;
    }

    private sealed record DecidingRecord(string Category, string Severity, bool IsFailing, string? Message, long RecordId);

    private sealed class InstanceStateDelta(EventRecord current)
    {
        public EventRecord Current { get; set; } = current;
        public List<EventRecord> Records { get; } = [];
        public int Failures { get; set; }
        public DateTimeOffset? FirstFailure { get; set; }
        public DateTimeOffset? LastFailure { get; set; }
    }
}
