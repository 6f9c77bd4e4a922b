using Microsoft.Data.Sqlite;
using OpsConsole.Features.Records;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// The instance-state table, kept on write. Which record is an instance's current one is decided here and only
/// here (<see cref="Supersedes"/>): within a batch, against the stored row, and when every state is rebuilt.
/// </summary>
internal static class InstanceStates
{
    /// <summary>
    /// The newest fact (by the source's own time) is current; a non-failure at the same instant as a failure
    /// (MAAS "Node changed status" beside "Marking node failed") does not clear it.
    /// </summary>
    public static bool Supersedes(DateTimeOffset at, bool isFailure, DateTimeOffset currentAt, bool currentIsFailure) =>
        at > currentAt || (at == currentAt && isFailure);

    /// <summary>What a record says about its instance's state.</summary>
    public sealed record Candidate(long Id, string InstanceKey, string Kind, string Source, string DisplayName, string? Location, string Category,
        string Severity, bool IsFailure, string? Message, DateTimeOffset At, string? Identity)
    {
        public static Candidate Of(EventRecord r) =>
            new(r.Id, r.InstanceKey, r.Kind, r.Source, r.InstanceName, r.Location, r.Category, r.Severity, r.IsFailure, r.Message, r.OccurredAt, r.Identity);
    }

    /// <summary>One instance's current record among several, and its failures.</summary>
    public sealed class Delta(Candidate current)
    {
        public Candidate Current { get; set; } = current;
        public int Failures { get; set; }
        public DateTimeOffset? FirstFailure { get; set; }
        public DateTimeOffset? LastFailure { get; set; }
    }

    public static void Accumulate(Dictionary<string, Delta> states, Candidate record)
    {
        if (!states.TryGetValue(record.InstanceKey, out var state))
            states[record.InstanceKey] = state = new Delta(record);
        else if (Supersedes(record.At, record.IsFailure, state.Current.At, state.Current.IsFailure))
            state.Current = record;

        if (!record.IsFailure) return;
        state.Failures++;
        if (state.FirstFailure is null || record.At < state.FirstFailure) state.FirstFailure = record.At;
        if (state.LastFailure is null || record.At > state.LastFailure) state.LastFailure = record.At;
    }

    private const string Columns =
        "InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage, LastRecordId, LastSeenAt, Identity, " +
        "FailureCount, FirstFailureAt, LastFailureAt";

    private static readonly string[] Parameters =
        ["$key", "$kind", "$source", "$name", "$location", "$category", "$severity", "$failing", "$message", "$recordId", "$seen", "$identity",
         "$failures", "$firstFailure", "$lastFailure", "$current"];

    private static readonly string InsertSql = $"INSERT INTO instance_states ({Columns}) VALUES ({string.Join(", ", Parameters[..^1])})";

    // $current is decided in C# by Supersedes; the statement only applies it.
    private const string MergeSql = """
        UPDATE instance_states SET
            DisplayName = $name,
            Location = COALESCE($location, Location),
            Identity = COALESCE($identity, Identity),
            Category = IIF($current, $category, Category),
            Severity = IIF($current, $severity, Severity),
            IsFailing = IIF($current, $failing, IsFailing),
            LastMessage = IIF($current, $message, LastMessage),
            LastRecordId = IIF($current, $recordId, LastRecordId),
            LastSeenAt = IIF($current, $seen, LastSeenAt),
            FailureCount = FailureCount + $failures,
            FirstFailureAt = COALESCE(MIN(FirstFailureAt, $firstFailure), FirstFailureAt, $firstFailure),
            LastFailureAt = COALESCE(MAX(LastFailureAt, $lastFailure), LastFailureAt, $lastFailure)
        WHERE InstanceKey = $key
        """;

    /// <summary>Merges each instance's batch into its stored row (or adds the row).</summary>
    public static void Write(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<Delta> deltas)
    {
        using var stored = SqliteRecordStore.Prepare(connection, transaction, "SELECT LastSeenAt, IsFailing FROM instance_states WHERE InstanceKey = $key", "$key");
        using var insert = SqliteRecordStore.Prepare(connection, transaction, InsertSql, Parameters[..^1]);
        using var merge = SqliteRecordStore.Prepare(connection, transaction, MergeSql, Parameters);
        foreach (var delta in deltas)
        {
            stored.Parameters[0].Value = delta.Current.InstanceKey;
            bool? current = null;
            using (var reader = stored.ExecuteReader())
            {
                if (reader.Read())
                    current = Supersedes(delta.Current.At, delta.Current.IsFailure, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetBoolean(1));
            }
            var command = current is null ? insert : merge;
            Bind(command, delta);
            if (current is { } isCurrent) command.Parameters[15].Value = isCurrent;
            command.ExecuteNonQuery();
        }
    }

    /// <summary>Recomputes every state from the records, through the same rule as the write path (the table is empty).</summary>
    public static void Rebuild(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var read = SqliteRecordStore.Prepare(connection, transaction, """
            SELECT Id, InstanceKey, Kind, Source, InstanceName, Location, Category, Severity, IsFailure, Message, OccurredAt, Identity
            FROM records ORDER BY InstanceKey, OccurredAt, Id
            """);
        using var insert = SqliteRecordStore.Prepare(connection, transaction, InsertSql, Parameters[..^1]);
        using var reader = read.ExecuteReader();
        // Records come grouped by instance: one instance's delta at a time.
        var states = new Dictionary<string, Delta>(1, StringComparer.Ordinal);
        while (reader.Read())
        {
            var record = new Candidate(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetBoolean(8),
                reader.IsDBNull(9) ? null : reader.GetString(9), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(10)),
                reader.IsDBNull(11) ? null : reader.GetString(11));
            if (states.Count > 0 && !states.ContainsKey(record.InstanceKey)) Flush();
            Accumulate(states, record);
        }
        Flush();

        void Flush()
        {
            foreach (var delta in states.Values)
            {
                Bind(insert, delta);
                insert.ExecuteNonQuery();
            }
            states.Clear();
        }
    }

    private static void Bind(SqliteCommand command, Delta state)
    {
        var p = command.Parameters;
        var current = state.Current;
        p[0].Value = current.InstanceKey;
        p[1].Value = current.Kind;
        p[2].Value = current.Source;
        p[3].Value = current.DisplayName;
        p[4].Value = (object?)current.Location ?? DBNull.Value;
        p[5].Value = current.Category;
        p[6].Value = current.Severity;
        p[7].Value = current.IsFailure;
        p[8].Value = (object?)current.Message ?? DBNull.Value;
        p[9].Value = current.Id;
        p[10].Value = current.At.ToUnixTimeMilliseconds();
        p[11].Value = (object?)current.Identity ?? DBNull.Value;
        p[12].Value = state.Failures;
        p[13].Value = (object?)state.FirstFailure?.ToUnixTimeMilliseconds() ?? DBNull.Value;
        p[14].Value = (object?)state.LastFailure?.ToUnixTimeMilliseconds() ?? DBNull.Value;
    }
}
