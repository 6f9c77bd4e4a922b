using Microsoft.Data.Sqlite;
using static OpsConsole.Data.InstanceStateRules;

namespace OpsConsole.Data.Sqlite;

/// <summary>The instance-state table on SQLite, kept on write by the rules of <see cref="InstanceStateRules"/>.</summary>
internal static class InstanceStates
{
    private const string Columns =
        "InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage, LastRecordId, LastSeenAt, Identity, " +
        "FailureCount, FirstFailureAt, LastFailureAt";

    // Positional parameters ?1..?15 in column order; ?16 is "this batch's record is current" in the merge.
    public const string InsertSql =
        $"INSERT INTO instance_states ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

    public const string StoredSql = "SELECT LastSeenAt, IsFailing, Category, Severity FROM instance_states WHERE InstanceKey = ?1";

    // ?16 is decided in C# by Supersedes; the statement only applies it.
    public const string MergeSql = """
        UPDATE instance_states SET
            DisplayName = ?4,
            Location = COALESCE(?5, Location),
            Identity = COALESCE(?12, Identity),
            Category = IIF(?16, ?6, Category),
            Severity = IIF(?16, ?7, Severity),
            IsFailing = IIF(?16, ?8, IsFailing),
            LastMessage = IIF(?16, ?9, LastMessage),
            LastRecordId = IIF(?16, ?10, LastRecordId),
            LastSeenAt = IIF(?16, ?11, LastSeenAt),
            FailureCount = FailureCount + ?13,
            FirstFailureAt = COALESCE(MIN(FirstFailureAt, ?14), FirstFailureAt, ?14),
            LastFailureAt = COALESCE(MAX(LastFailureAt, ?15), LastFailureAt, ?15)
        WHERE InstanceKey = ?1
        """;

    public const string InstanceRecordsSql = """
        SELECT Id, InstanceKey, Kind, Source, InstanceName, Location, Category, Severity, IsFailure, Message, OccurredAt, Identity
        FROM records WHERE InstanceKey = ?1 ORDER BY OccurredAt, Id
        """;

    public const string DeleteSql = "DELETE FROM instance_states WHERE InstanceKey = ?1";

    /// <summary>The statements of the state table, prepared once on the writer connection.</summary>
    public sealed class Statements(SqliteConnection connection) : IDisposable
    {
        public RawStatement Stored { get; } = new(connection, StoredSql);
        public RawStatement Insert { get; } = new(connection, InsertSql);
        public RawStatement Merge { get; } = new(connection, MergeSql);
        public RawStatement InstanceRecords { get; } = new(connection, InstanceRecordsSql);
        public RawStatement Delete { get; } = new(connection, DeleteSql);

        public void Dispose()
        {
            Stored.Dispose();
            Insert.Dispose();
            Merge.Dispose();
            InstanceRecords.Dispose();
            Delete.Dispose();
        }
    }

    /// <summary>Merges each instance's batch into its stored row (or adds the row); see <see cref="InstanceStateRules.Merge"/>.</summary>
    public static void Write(Statements statements, IEnumerable<Delta> deltas, Action<string, int> failingChanged)
    {
        foreach (var delta in deltas)
        {
            var current = Merge(delta, ReadStored(statements, delta.Current.InstanceKey), failingChanged);
            var command = current is null ? statements.Insert : statements.Merge;
            Bind(command, delta);
            if (current is { } isCurrent) command.Bind(16, isCurrent);
            command.Execute();
        }
    }

    private static Stored? ReadStored(Statements statements, string instanceKey)
    {
        var stored = statements.Stored;
        stored.Bind(1, instanceKey);
        if (!stored.Read()) return null;
        var row = new Stored(DateTimeOffset.FromUnixTimeMilliseconds(stored.Long(0)), stored.Long(1) != 0, stored.Text(2)!, stored.Text(3)!);
        stored.Reset();
        return row;
    }

    /// <summary>
    /// Recomputes one instance's state from its records through the same rule as the write path (reclassification
    /// changed what they say); gives the number of records read, so callers can keep their transactions short.
    /// </summary>
    public static int Rebuild(Statements statements, string instanceKey, Action<string, int> failingChanged)
    {
        var before = ReadStored(statements, instanceKey);
        var read = statements.InstanceRecords;
        read.Bind(1, instanceKey);
        var states = new Dictionary<string, Delta>(1, StringComparer.Ordinal);
        var count = 0;
        while (read.Read())
        {
            count++;
            Accumulate(states, new Candidate(read.Long(0), read.Text(1)!, read.Text(2)!, read.Text(3)!, read.Text(4)!, read.Text(5), read.Text(6)!,
                read.Text(7)!, read.Long(8) != 0, read.Text(9), DateTimeOffset.FromUnixTimeMilliseconds(read.Long(10)), read.Text(11)));
        }
        statements.Delete.Bind(1, instanceKey);
        statements.Delete.Execute();
        foreach (var delta in states.Values)
        {
            Bind(statements.Insert, delta);
            statements.Insert.Execute();
        }
        CountFailing(before, states.Values.FirstOrDefault()?.Current, failingChanged);
        return count;
    }

    private static void Bind(RawStatement command, Delta state)
    {
        var current = state.Current;
        command.Bind(1, current.InstanceKey);
        command.Bind(2, current.Kind);
        command.Bind(3, current.Source);
        command.Bind(4, current.DisplayName);
        command.Bind(5, current.Location);
        command.Bind(6, current.Category);
        command.Bind(7, current.Severity);
        command.Bind(8, current.IsFailure);
        command.Bind(9, current.Message);
        command.Bind(10, current.Id);
        command.Bind(11, current.At.ToUnixTimeMilliseconds());
        command.Bind(12, current.Identity);
        command.Bind(13, state.Failures);
        command.Bind(14, state.FirstFailure?.ToUnixTimeMilliseconds());
        command.Bind(15, state.LastFailure?.ToUnixTimeMilliseconds());
    }
}
