using System.Globalization;
using Microsoft.Data.Sqlite;
using OpsConsole.Features.Records;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Seeks that read the pages the next ingested records write, without changing anything: the ends of the indexes kept
/// in time or id order, and per sending instance the places a record of it lands. Page counts of the benchmark's
/// 10 M-record store (dbstat): the instance-state table 525 MB, its key index 93 MB, its partial indexes 140 MB, the
/// timeline index (InstanceKey, OccurredAt) 545 MB, the dedupe-key index 444 MB. The first four take each record at
/// its instance's place, scattered over the file; the dedupe-key index takes a time-ordered key near the clock (and is
/// looked up at a random place only for a record from before the store's legacy horizon, a read of a page that stays
/// clean), so warming all of it, as the console did, filled the cache with pages new records no longer touch.
/// </summary>
internal sealed class HotPages : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly RawStatement _state;
    private readonly RawStatement _timeline;
    private readonly RawStatement _failingCategory;
    private readonly RawStatement _failingLastFailure;
    private readonly RawStatement _failingCount;
    private readonly RawStatement _failingFamily;
    private readonly RawStatement _quietSource;

    public HotPages(SqliteConnection connection)
    {
        _connection = connection;
        // The row's key-index entry and its table page: every record of the instance updates that row.
        _state = new RawStatement(connection,
            "SELECT rowid, IsFailing, Category, Severity, LastFailureAt, FailureCount, Family, Source FROM instance_states WHERE InstanceKey = ?1");
        // The timeline index's leaf at the end of the instance's range, where a newer record of it goes.
        _timeline = new RawStatement(connection, "SELECT MAX(OccurredAt) FROM records WHERE InstanceKey = ?1");
        // The row's entries in the partial indexes: a merge moves them (failure count and time change with each failure)
        // and a change of the failing flag moves the row from the quiet index to the failing ones. Each index ends with
        // the rowid, so a seek with it reads the one leaf that holds the entry.
        _failingCategory = Entry("IX_instance_states_failing_Category", "IsFailing AND Category = ?1 AND Severity = ?2 AND rowid = ?3");
        _failingLastFailure = Entry("IX_instance_states_failing_LastFailureAt", "IsFailing AND LastFailureAt = ?1 AND rowid = ?2");
        _failingCount = Entry("IX_instance_states_failing_FailureCount", "IsFailing AND FailureCount = ?1 AND rowid = ?2");
        _failingFamily = Entry("IX_instance_states_failing_Family", "IsFailing AND Family = ?1 AND LastFailureAt = ?2 AND rowid = ?3");
        _quietSource = Entry("IX_instance_states_quiet_Source", "NOT IsFailing AND Source = ?1 AND rowid = ?2");
    }

    private RawStatement Entry(string index, string where) =>
        new(_connection, $"SELECT 1 FROM instance_states INDEXED BY \"{index}\" WHERE {where}");

    /// <summary>
    /// The last pages of the table and of the indexes a new record extends at their end (ids, arrival and source times,
    /// per category, per rule version, the dedupe keys near the clock) and the counter tables: a few pages each.
    /// </summary>
    public void Ends(DateTimeOffset now)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT Category FROM category_counts";
        var categories = new List<string>();
        using (var reader = command.ExecuteReader())
            while (reader.Read()) categories.Add(reader.GetString(0));
        // One query per category: SQLite finds a MAX through the index only in a query of one table and one aggregate.
        var sql = new System.Text.StringBuilder("""
            SELECT MAX(Id) FROM records;
            SELECT MAX(OccurredAt) FROM records;
            SELECT MAX(ReceivedAt) FROM records;
            SELECT MAX(Id) FROM records WHERE RulesetVersion = (SELECT RulesetVersion FROM records ORDER BY Id DESC LIMIT 1);
            SELECT DedupeKey FROM records WHERE DedupeKey >= $clock LIMIT 1;
            SELECT MAX(Hour) FROM failure_hours;
            """);
        for (var i = 0; i < categories.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"SELECT MAX(Id) FROM records WHERE Category = $c{i};");
            sql.Append(CultureInfo.InvariantCulture, $"SELECT MAX(OccurredAt) FROM records WHERE Category = $c{i};");
            command.Parameters.AddWithValue($"$c{i}", categories[i]);
        }
        command.CommandText = sql.ToString();
        // Keys of records from the last hour on start with their time (DedupeKeys.Timed): the leaves new keys go to.
        command.Parameters.AddWithValue("$clock", DedupeKeys.Timed(now.AddHours(-1), ""));
        using var rows = command.ExecuteReader();
        do
            while (rows.Read())
            {
            }
        while (rows.NextResult());
    }

    /// <summary>Reads the pages a record of <paramref name="instanceKey"/> writes; false when the store has no row for it.</summary>
    public bool Instance(string instanceKey)
    {
        _timeline.Bind(1, instanceKey);
        _timeline.Read();
        _timeline.Reset();

        _state.Bind(1, instanceKey);
        if (!_state.Read()) return false;
        var rowid = _state.Long(0);
        var failing = _state.Long(1) != 0;
        var (category, severity, lastFailure, count, family, source) =
            (_state.Text(2), _state.Text(3), _state.IsNull(4) ? (long?)null : _state.Long(4), _state.Long(5), _state.Text(6), _state.Text(7));
        _state.Reset();

        if (failing)
        {
            Seek(_failingCategory, category, severity, rowid);
            Seek(_failingLastFailure, lastFailure, rowid);
            Seek(_failingCount, count, rowid);
            Seek(_failingFamily, family, lastFailure, rowid);
        }
        else Seek(_quietSource, source, rowid);
        return true;
    }

    /// <summary>Binds the values in order (text, an integer, or NULL) and reads the one row the seek finds, if any.</summary>
    private static void Seek(RawStatement entry, params ReadOnlySpan<object?> values)
    {
        // A few boxed integers per instance warmed: the warm-up is bounded by the cache, and one seek stays one method.
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i] is long number) entry.Bind(i + 1, number);
            else entry.Bind(i + 1, (string?)values[i]);
        }
        entry.Read();
        entry.Reset();
    }

    public void Dispose()
    {
        _state.Dispose();
        _timeline.Dispose();
        _failingCategory.Dispose();
        _failingLastFailure.Dispose();
        _failingCount.Dispose();
        _failingFamily.Dispose();
        _quietSource.Dispose();
    }
}
