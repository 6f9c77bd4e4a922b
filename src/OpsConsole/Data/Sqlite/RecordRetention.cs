using Microsoft.Data.Sqlite;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Which records retention may delete, oldest received first, and which of them it must keep: a record an instance's
/// state points at (its current record), what that record was derived from (a crash loop's exits), and the record a
/// failing instance's runbook ticks belong to. Instance states, acknowledgements, silences and runbook ticks live in
/// their own tables and are never deleted here.
/// </summary>
internal static class RecordRetention
{
    /// <summary>Records read per transaction at most; the transaction also ends after <see cref="SqliteRecordStore.RebuildSlice"/>.</summary>
    public const int BatchSize = 500;

    // Keyset over the ReceivedAt index (the rowid is its tie-breaker), so records kept are passed once, not re-read.
    public const string OldestSql = """
        SELECT Id, InstanceKey, Category, IsFailure, ReceivedAt FROM records
        WHERE (ReceivedAt, Id) > (?1, ?2) AND (ReceivedAt < ?3 OR ?4 > 0)
        ORDER BY ReceivedAt, Id LIMIT ?5
        """;

    // Primary-key lookups only: the state by instance, its current record, the ticks by (instance, record).
    public const string KeepSql = """
        SELECT 1 FROM instance_states s WHERE s.InstanceKey = ?1 AND (
            s.LastRecordId = ?2
            OR EXISTS (SELECT 1 FROM records c WHERE c.Id = s.LastRecordId AND instr(',' || c.DerivedFrom || ',', ',' || ?2 || ',') > 0)
            OR (s.IsFailing AND EXISTS (SELECT 1 FROM runbook_steps m WHERE m.InstanceKey = ?1 AND m.RecordId = ?2)))
        """;

    public const string DeleteSql = "DELETE FROM records WHERE Id = ?1";

    // Hours emptied by deletes carry no information; they would only grow the table.
    public const string EmptyHoursSql = "DELETE FROM failure_hours WHERE Failures = 0 AND Hour < ?1";

    public readonly record struct Candidate(long Id, string InstanceKey, string Category, bool IsFailure, long ReceivedAt);

    public sealed class Statements(SqliteConnection connection) : IDisposable
    {
        public RawStatement Oldest { get; } = new(connection, OldestSql);
        public RawStatement Keep { get; } = new(connection, KeepSql);
        public RawStatement Delete { get; } = new(connection, DeleteSql);
        public RawStatement EmptyHours { get; } = new(connection, EmptyHoursSql);

        public void Dispose()
        {
            Oldest.Dispose();
            Keep.Dispose();
            Delete.Dispose();
            EmptyHours.Dispose();
        }
    }

    /// <summary>The next records past the cut, read out before any is deleted (a delete must not move the reader).</summary>
    public static List<Candidate> Oldest(Statements statements, RetentionCut cut)
    {
        var read = statements.Oldest;
        read.Bind(1, cut.AfterReceivedAt);
        read.Bind(2, cut.AfterId);
        read.Bind(3, cut.Cutoff.ToUnixTimeMilliseconds());
        read.Bind(4, cut.Excess);
        read.Bind(5, BatchSize);
        var candidates = new List<Candidate>(BatchSize);
        while (read.Read()) candidates.Add(new Candidate(read.Long(0), read.Text(1)!, read.Text(2)!, read.Long(3) != 0, read.Long(4)));
        return candidates;
    }

    public static bool Keeps(Statements statements, Candidate record)
    {
        var keep = statements.Keep;
        keep.Bind(1, record.InstanceKey);
        keep.Bind(2, record.Id);
        if (!keep.Read()) return false;
        keep.Reset();
        return true;
    }
}
