using Microsoft.Data.Sqlite;

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
        "RulesetVersion, IsFailure, Hints, DerivedFrom, DedupeKey, Truncated, RawJson, Identity, SourceTimeUntrusted";

    internal static readonly string InsertSql =
        $"INSERT INTO records ({RecordColumns}) VALUES ({string.Join(", ", RecordColumns.Split(", ").Select(c => "$" + c))})";

    public Task<IReadOnlyList<StoredRecord>> WriteAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken) =>
        InWriteTransactionAsync<IReadOnlyList<StoredRecord>>((connection, transaction) =>
        {
            var results = new StoredRecord[records.Count];
            using var insert = CreateInsert(connection, transaction, " ON CONFLICT (DedupeKey) DO NOTHING");
            using var existing = Prepare(connection, transaction, "SELECT Id, OccurrenceCount FROM records WHERE DedupeKey = $key", "$key");

            var states = new Dictionary<string, InstanceStates.Delta>(StringComparer.Ordinal);
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
                    InstanceStates.Accumulate(states, InstanceStates.Candidate.Of(record));
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

            InstanceStates.Write(connection, transaction, states.Values);
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
            using (var clear = Prepare(connection, transaction, "DELETE FROM instance_states")) clear.ExecuteNonQuery();
            InstanceStates.Rebuild(connection, transaction);
            return true;
        }, cancellationToken);

    public async Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT ReceivedAt / 3600000, COUNT(*) FROM records WHERE IsFailure = 1 AND ReceivedAt >= $since GROUP BY 1";
        command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var perHour = new List<(long, int)>();
        while (await reader.ReadAsync(cancellationToken)) perHour.Add((reader.GetInt64(0), reader.GetInt32(1)));
        return perHour;
    }

    public async Task<IReadOnlyList<SenderSighting>> SendersAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken);
        var rows = new List<SenderSighting>();
        foreach (var (sql, counted) in new[]
                 {
                     ("SELECT Source, Kind, InstanceKey, Identity, LastSeenAt FROM instance_states", false),
                     ("SELECT Source, Kind, InstanceKey, Identity, ReceivedAt FROM records WHERE ReceivedAt >= $since", true),
                 })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            command.Parameters.AddWithValue("$since", since.ToUnixTimeMilliseconds());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                rows.Add(new SenderSighting(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), counted));
        }
        return rows;
    }

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

    internal static SqliteCommand Prepare(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
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
        p[32].Value = (object?)r.Identity ?? DBNull.Value;
        p[33].Value = (object?)r.SourceTimeUntrusted?.ToUnixTimeMilliseconds() ?? DBNull.Value;
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
