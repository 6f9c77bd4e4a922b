using Microsoft.Data.Sqlite;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.Records;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// SQLite write path: one IMMEDIATE transaction per request, prepared commands reused for every row,
/// and one instance-state upsert per instance. EF Core owns the schema; this class only writes rows.
/// </summary>
public sealed class SqliteRecordStore(SqliteConnectionFactory connections, StorageHealth? storage = null) : IRecordStore
{
    // SQLite has one writer; queueing here is cheaper than SQLITE_BUSY retries.
    private static readonly SemaphoreSlim WriteLock = new(1, 1);

    internal const string RecordColumns =
        "Kind, Source, Format, Entry, InstanceKey, InstanceName, Location, RequestId, State, ExitCode, RestartCount, Signal, Reason, " +
        "Message, ErrorCode, HttpCode, Stage, OccurredAt, ReceivedAt, LastSeenAt, OccurrenceCount, Category, Severity, RuleId, Evidence, " +
        "RulesetVersion, IsFailure, Hints, DerivedFrom, DedupeKey, Truncated, RawJson, SourceTimeAhead";

    internal static readonly string InsertSql =
        $"INSERT INTO records ({RecordColumns}) VALUES ({string.Join(", ", RecordColumns.Split(", ").Select(c => "$" + c))})";

    private const string UpsertStateSql = """
        INSERT INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage,
                                     LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt)
        VALUES ($key, $kind, $source, $name, $location, $category, $severity, $failing, $message, $recordId, $seen, $failures, $firstFailure, $lastFailure)
        ON CONFLICT (InstanceKey) DO UPDATE SET
            DisplayName = excluded.DisplayName,
            Location = COALESCE(excluded.Location, Location),
            Category = CASE WHEN excluded.LastSeenAt > LastSeenAt OR (excluded.LastSeenAt = LastSeenAt AND excluded.IsFailing) THEN excluded.Category ELSE Category END,
            Severity = CASE WHEN excluded.LastSeenAt > LastSeenAt OR (excluded.LastSeenAt = LastSeenAt AND excluded.IsFailing) THEN excluded.Severity ELSE Severity END,
            IsFailing = CASE WHEN excluded.LastSeenAt > LastSeenAt OR (excluded.LastSeenAt = LastSeenAt AND excluded.IsFailing) THEN excluded.IsFailing ELSE IsFailing END,
            LastMessage = CASE WHEN excluded.LastSeenAt > LastSeenAt OR (excluded.LastSeenAt = LastSeenAt AND excluded.IsFailing) THEN excluded.LastMessage ELSE LastMessage END,
            LastRecordId = CASE WHEN excluded.LastSeenAt > LastSeenAt OR (excluded.LastSeenAt = LastSeenAt AND excluded.IsFailing) THEN excluded.LastRecordId ELSE LastRecordId END,
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
            {
                foreach (var state in states.Values)
                {
                    var p = upsert.Parameters;
                    var current = state.Current;
                    p[0].Value = current.InstanceKey;
                    p[1].Value = current.Kind;
                    p[2].Value = current.Source;
                    p[3].Value = current.InstanceName;
                    p[4].Value = (object?)current.Location ?? DBNull.Value;
                    p[5].Value = current.Category;
                    p[6].Value = current.Severity;
                    p[7].Value = current.IsFailure;
                    p[8].Value = (object?)current.Message ?? DBNull.Value;
                    p[9].Value = current.Id;
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
            // Same rule as the write path: the newest record is current, a failure wins a tie.
            using var rebuild = Prepare(connection, transaction, """
                DELETE FROM instance_states;
                INSERT INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage,
                                             LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt)
                SELECT c.InstanceKey, c.Kind, c.Source, c.InstanceName, c.Location, c.Category, c.Severity, c.IsFailure, c.Message,
                       c.Id, c.OccurredAt, a.Failures, a.FirstFailure, a.LastFailure
                FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY InstanceKey ORDER BY OccurredAt DESC, IsFailure DESC, Id DESC) AS n FROM records) c
                JOIN (SELECT InstanceKey, SUM(IsFailure) AS Failures,
                             MIN(CASE WHEN IsFailure THEN OccurredAt END) AS FirstFailure,
                             MAX(CASE WHEN IsFailure THEN OccurredAt END) AS LastFailure
                      FROM records GROUP BY InstanceKey) a ON a.InstanceKey = c.InstanceKey
                WHERE c.n = 1;
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
            storage?.ReportSuccess();
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
        p[32].Value = (object?)r.SourceTimeAhead?.ToUnixTimeMilliseconds() ?? DBNull.Value;
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

    /// <summary>
    /// The newest fact decides an instance's current state; a non-failure at the same instant as a failure
    /// (MAAS "Node changed status" beside "Marking node failed") does not clear it. Same rule as the SQL upsert.
    /// </summary>
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

        if (!record.IsFailure) return;
        state.Failures++;
        if (state.FirstFailure is null || record.OccurredAt < state.FirstFailure) state.FirstFailure = record.OccurredAt;
        if (state.LastFailure is null || record.OccurredAt > state.LastFailure) state.LastFailure = record.OccurredAt;
    }

    private sealed class InstanceStateDelta(EventRecord current)
    {
        public EventRecord Current { get; set; } = current;
        public int Failures { get; set; }
        public DateTimeOffset? FirstFailure { get; set; }
        public DateTimeOffset? LastFailure { get; set; }
    }
}
