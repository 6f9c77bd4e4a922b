using Microsoft.Data.Sqlite;
using OpsConsole.Features.Records;
using static OpsConsole.Data.InstanceStateRules;

namespace OpsConsole.Data.Sqlite;

/// <summary>The instance-state table on SQLite, kept on write by the rules of <see cref="InstanceStateRules"/>.</summary>
internal static class InstanceStates
{
    private const string Columns =
        "InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage, LastRecordId, LastSeenAt, Identity, " +
        "FailureCount, FirstFailureAt, LastFailureAt";

    private const int StateColumns = 15;
    private const int LastRecordIdParameter = 10;

    // Positional parameters ?1..?15 in column order; ?16 is "this batch's record is current" in the merge.
    public const string InsertSql =
        $"INSERT INTO instance_states ({Columns}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)";

    public const string StoredSql = "SELECT LastSeenAt, IsFailing, Category, Severity FROM instance_states WHERE InstanceKey = ?1";

    // What both merges set: names, the current record's message and time (when ?16 says the batch's record is current) and
    // the failure counts. ?16 is decided in C# by Supersedes; the statements only apply it.
    private const string MergeSetSql = """
        DisplayName = ?4,
        Location = COALESCE(?5, Location),
        Identity = COALESCE(?12, Identity),
        LastMessage = IIF(?16, ?9, LastMessage),
        LastRecordId = IIF(?16, ?10, LastRecordId),
        LastSeenAt = IIF(?16, ?11, LastSeenAt),
        FailureCount = FailureCount + ?13,
        FirstFailureAt = COALESCE(MIN(FirstFailureAt, ?14), FirstFailureAt, ?14),
        LastFailureAt = COALESCE(MAX(LastFailureAt, ?15), LastFailureAt, ?15)
        """;

    public const string MergeSql = $"""
        UPDATE instance_states SET
        Category = IIF(?16, ?6, Category),
        Severity = IIF(?16, ?7, Severity),
        IsFailing = IIF(?16, ?8, IsFailing),
        {MergeSetSql}
        WHERE InstanceKey = ?1
        """;

    /// <summary>
    /// <see cref="MergeSql"/> for a row whose category, severity and failing flag stay as stored (the batch's record is
    /// not current, or says what the row says): SQLite rewrites every partial index of the table when an UPDATE sets
    /// the column of their WHERE (IsFailing), and every index on a column it sets, whatever the values. On a store of
    /// 2 M instances each of those entries sits on its own page, so the full merge dirtied one more random index page per record.
    /// </summary>
    public const string MergeKeepingClassSql = $"""
        UPDATE instance_states SET
        {MergeSetSql}
        WHERE InstanceKey = ?1
        """;

    public const string InstanceRecordsSql = """
        SELECT Id, InstanceKey, Kind, Source, InstanceName, Location, Category, Severity, IsFailure, Message, OccurredAt, Identity
        FROM records WHERE InstanceKey = ?1 ORDER BY OccurredAt, Id
        """;

    public const string DeleteSql = "DELETE FROM instance_states WHERE InstanceKey = ?1";

    /// <summary>Instances whose stored row the writer remembers at most; past it the memory starts again empty.</summary>
    internal const int MaxKnown = 100_000;

    /// <summary>
    /// The statements of the state table, prepared once on the writer connection, and what the writer knows of the
    /// stored rows: the fields the rules compare, as this connection last wrote or read them, so the write path decides
    /// from memory instead of reading each instance's row under the lock. The memory goes with the connection (after
    /// a failed transaction too) and is dropped when another connection changed the file.
    /// </summary>
    public sealed class Statements(SqliteConnection connection) : IDisposable
    {
        private readonly Dictionary<string, Stored> _known = new(StringComparer.Ordinal);
        private long _dataVersion = -1;

        public RawStatement Stored { get; } = new(connection, StoredSql);
        public RawStatement Insert { get; } = new(connection, InsertSql);
        public RawStatement Merge { get; } = new(connection, MergeSql);
        public RawStatement MergeKeepingClass { get; } = new(connection, MergeKeepingClassSql);
        public RawStatement InstanceRecords { get; } = new(connection, InstanceRecordsSql);
        public RawStatement Delete { get; } = new(connection, DeleteSql);
        // data_version moves only when another connection commits; this connection's own commits leave it.
        private RawStatement DataVersion { get; } = new(connection, "PRAGMA data_version");

        /// <summary>Forgets the remembered rows if another connection committed since (call inside the write transaction).</summary>
        public void ForgetIfChangedElsewhere()
        {
            DataVersion.Read();
            var version = DataVersion.Long(0);
            DataVersion.Reset();
            if (version != _dataVersion || _known.Count > MaxKnown) _known.Clear();
            _dataVersion = version;
        }

        /// <summary>An instance's stored row, from memory or else read.</summary>
        public Stored? Lookup(string instanceKey)
        {
            if (_known.TryGetValue(instanceKey, out var known)) return known;
            var stored = ReadStored(this, instanceKey);
            if (stored is { } row) _known[instanceKey] = row;
            return stored;
        }

        public void Remember(string instanceKey, Stored row) => _known[instanceKey] = row;

        public void Forget(string instanceKey) => _known.Remove(instanceKey);

        public void Dispose()
        {
            DataVersion.Dispose();
            Stored.Dispose();
            Insert.Dispose();
            Merge.Dispose();
            MergeKeepingClass.Dispose();
            InstanceRecords.Dispose();
            Delete.Dispose();
        }
    }

    /// <summary>
    /// One batch's instance states, decided and encoded before the write lock: each instance's current record among the
    /// batch's new records, and its row's values. A candidate's <c>Id</c> is the record's position in the batch until the
    /// insert gives it a row id (bound under the lock).
    /// </summary>
    public sealed class Batch : IDisposable
    {
        private Batch(List<Delta> deltas, EncodedRows rows) => (Deltas, Rows) = (deltas, rows);

        public List<Delta> Deltas { get; }
        public EncodedRows Rows { get; }

        /// <summary>The states of <paramref name="records"/>' records at the positions <paramref name="include"/> accepts (all when null).</summary>
        public static Batch Of(IReadOnlyList<EventRecord> records, Func<int, bool>? include = null)
        {
            var states = new Dictionary<string, Delta>(StringComparer.Ordinal);
            for (var i = 0; i < records.Count; i++)
                if (include is null || include(i)) Accumulate(states, Candidate.Of(records[i], id: i));
            var deltas = states.Values.ToList();
            var rows = new EncodedRows(StateColumns, deltas.Count);
            foreach (var delta in deltas) Add(rows, delta);
            return new Batch(deltas, rows);
        }

        public void Dispose() => Rows.Dispose();
    }

    /// <summary>Merges each instance's batch into its stored row (or adds the row); see <see cref="InstanceStateRules.Merge"/>.</summary>
    public static void Write(Statements statements, Batch batch, IReadOnlyList<EventRecord> records, Action<string, int> failingChanged)
    {
        statements.ForgetIfChangedElsewhere();
        for (var i = 0; i < batch.Deltas.Count; i++)
        {
            var delta = batch.Deltas[i];
            var candidate = delta.Current;
            var stored = statements.Lookup(candidate.InstanceKey);
            var current = Merge(delta, stored, failingChanged);
            var command = current is null ? statements.Insert
                : current is false || SameClass(stored!.Value, candidate) ? statements.MergeKeepingClass : statements.Merge;
            batch.Rows.Bind(command, i);
            command.Bind(LastRecordIdParameter, records[(int)candidate.Id].Id);
            if (current is { } isCurrent) command.Bind(16, isCurrent);
            command.Execute();
            // As the row now stands; the time as stored (milliseconds), so memory and a read decide alike.
            if (current is not false)
                statements.Remember(candidate.InstanceKey, new Stored(DateTimeOffset.FromUnixTimeMilliseconds(candidate.At.ToUnixTimeMilliseconds()),
                    candidate.IsFailure, candidate.Category, candidate.Severity));
        }
    }

    private static bool SameClass(Stored stored, Candidate candidate) =>
        stored.Failing == candidate.IsFailure && stored.Category == candidate.Category && stored.Severity == candidate.Severity;

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
        statements.Forget(instanceKey);
        using var rows = new EncodedRows(StateColumns, 1);
        foreach (var delta in states.Values)
        {
            Add(rows, delta);
            rows.Bind(statements.Insert, 0);
            statements.Insert.Execute();
            rows.Clear();
        }
        CountFailing(before, states.Values.FirstOrDefault()?.Current, failingChanged);
        return count;
    }

    /// <summary>A state row's values, ?1..?15 in column order.</summary>
    private static void Add(EncodedRows rows, Delta state)
    {
        var current = state.Current;
        rows.Add(current.InstanceKey);
        rows.Add(current.Kind);
        rows.Add(current.Source);
        rows.Add(current.DisplayName);
        rows.Add(current.Location);
        rows.Add(current.Category);
        rows.Add(current.Severity);
        rows.Add(current.IsFailure);
        rows.Add(current.Message);
        rows.Add(current.Id);
        rows.Add(current.At.ToUnixTimeMilliseconds());
        rows.Add(current.Identity);
        rows.Add(state.Failures);
        rows.Add(state.FirstFailure?.ToUnixTimeMilliseconds());
        rows.Add(state.LastFailure?.ToUnixTimeMilliseconds());
    }
}
