using System.Data.Common;

namespace OpsConsole.Data;

/// <summary>
/// Which records retention deletes, oldest received first, and which it keeps: the record an instance's state points
/// at (its current record), what that record was derived from (a crash loop's exits), and the record a failing
/// instance's runbook ticks belong to. Instance states, acknowledgements, silences and runbook ticks live in their own
/// tables and are never deleted. SQL both databases run as written; each store deletes in its own way.
/// </summary>
internal static class RecordRetention
{
    /// <summary>Records read per transaction at most (SQLite also ends a transaction after its rebuild slice).</summary>
    public const int BatchSize = 500;

    // Keyset over the ReceivedAt index (Id breaks ties), so kept records are passed once, not read again each batch. The
    // keep test is primary-key lookups: the state by instance, its current record, the ticks by (instance, record).
    // @until ends the index range at the cut (or nowhere, when a record-count limit is exceeded): as "ReceivedAt < cut OR
    // excess > 0" no bound could be taken from it, and with nothing expired every sweep walked the whole index under the
    // single writer (1-5 s at 1 M records, with ingestion queued behind it).
    public const string OldestSql = """
        SELECT c.Id, c.InstanceKey, c.Category, c.IsFailure, c.ReceivedAt,
            EXISTS (SELECT 1 FROM instance_states s WHERE s.InstanceKey = c.InstanceKey AND (
                s.LastRecordId = c.Id
                OR EXISTS (SELECT 1 FROM records d WHERE d.Id = s.LastRecordId AND ',' || d.DerivedFrom || ',' LIKE '%,' || c.Id || ',%')
                OR (s.IsFailing AND EXISTS (SELECT 1 FROM runbook_steps m WHERE m.InstanceKey = c.InstanceKey AND m.RecordId = c.Id))))
        FROM records c
        WHERE (c.ReceivedAt, c.Id) > (@afterReceived, @afterId) AND c.ReceivedAt < @until
        ORDER BY c.ReceivedAt, c.Id LIMIT @batch
        """;

    // Hours emptied by deletes carry nothing; they would only grow the table.
    public const string EmptyHoursSql = "DELETE FROM failure_hours WHERE Failures = 0 AND Hour <= @hour";

    // One row per category, and one end of the ReceivedAt index: cheap whatever the store holds.
    public const string FiguresSql =
        "SELECT (SELECT CAST(COALESCE(SUM(Records), 0) AS BIGINT) FROM category_counts), (SELECT MIN(ReceivedAt) FROM records)";

    public readonly record struct Candidate(long Id, string InstanceKey, string Category, bool IsFailure, long ReceivedAt, bool Kept);

    /// <summary>The next records past the cut, read out before any is deleted (a delete must not move the reader).</summary>
    public static List<Candidate> Oldest(DbConnection connection, DbTransaction? transaction, RetentionCut cut)
    {
        using var command = RecordStoreReads.Command(connection, OldestSql, ("@afterReceived", cut.AfterReceivedAt), ("@afterId", cut.AfterId),
            ("@until", cut.Excess > 0 ? long.MaxValue : cut.Cutoff.ToUnixTimeMilliseconds()), ("@batch", BatchSize));
        command.Transaction = transaction;
        using var reader = command.ExecuteReader();
        var candidates = new List<Candidate>(BatchSize);
        while (reader.Read())
            candidates.Add(new Candidate(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3), reader.GetInt64(4), reader.GetBoolean(5)));
        return candidates;
    }

    /// <summary>
    /// Walks the candidates oldest first and hands each one retention removes to <paramref name="delete"/> (with the
    /// counter changes) until the cut is reached or <paramref name="outOfTime"/> says stop; gives the batch and where to go on.
    /// </summary>
    public static RetentionBatch Walk(RetentionCut cut, List<Candidate> candidates,
        CounterChanges counts, Action<long> delete, Func<bool> outOfTime)
    {
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var (deleted, kept) = (0, 0);
        var done = candidates.Count < BatchSize;
        var cutoff = cut.Cutoff.ToUnixTimeMilliseconds();
        foreach (var record in candidates)
        {
            if (record.ReceivedAt >= cutoff && cut.Excess <= 0)
            {
                done = true;
                break;
            }
            if (outOfTime())
            {
                done = false;
                break;
            }
            cut = cut with { AfterReceivedAt = record.ReceivedAt, AfterId = record.Id };
            if (record.Kept)
            {
                kept++;
                continue;
            }
            delete(record.Id);
            counts.Add(record.Category, record.IsFailure, DateTimeOffset.FromUnixTimeMilliseconds(record.ReceivedAt), -1);
            touched.Add(record.InstanceKey);
            deleted++;
            cut = cut with { Excess = cut.Excess - 1 };
        }
        return new RetentionBatch(deleted, kept, touched, done ? null : cut);
    }

    /// <summary>Removes the counter rows of hours up to the batch's newest candidate that deletes emptied.</summary>
    public static void DropEmptyHours(DbConnection connection, DbTransaction? transaction, List<Candidate> candidates)
    {
        if (candidates.Count == 0) return;
        using var command = RecordStoreReads.Command(connection, EmptyHoursSql, ("@hour", candidates[^1].ReceivedAt / 3_600_000));
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }

    public static async Task<(long Records, DateTimeOffset? Oldest)> FiguresAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        await using var command = RecordStoreReads.Command(connection, FiguresSql);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }
}
