using Npgsql;
using OpsConsole.Data.Postgres;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// The dedupe key on PostgreSQL lives in record_dedupe alone (migration DropRecordsDedupeKeyIndex): records carry no
/// index on it, a repeated key is still found, and the lookup of stored keys reads record_dedupe by its primary key and
/// the day's records by theirs, scanning neither table.
/// </summary>
public sealed class DedupeLookupTests(MigratedPostgres database) : IClassFixture<MigratedPostgres>
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;

    [PostgresFact]
    public async Task The_lookup_of_stored_keys_uses_the_primary_keys_left()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        using var store = new PostgresRecordStore(dataSource);
        foreach (var chunk in Enumerable.Range(0, 5_000).Chunk(500))
            await store.WriteAsync([.. chunk.Select(Record)], CancellationToken.None);

        var again = await store.WriteAsync([Record(42), Record(5_000)], CancellationToken.None);

        Assert.True(again[0].Duplicate);
        Assert.False(again[1].Duplicate);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(0L, await ScalarAsync(connection, "SELECT COUNT(*) FROM pg_indexes WHERE tablename LIKE 'records%' AND indexdef LIKE '%(dedupekey)%'"));
        await ScalarAsync(connection, "ANALYZE records, record_dedupe");
        var today = RecordPartitions.Name(RecordPartitions.DayOf(Now.ToUnixTimeMilliseconds()));
        await using var explain = new NpgsqlCommand("EXPLAIN " + PostgresRecordStore.ExistingSql, connection)
        {
            Parameters = { new NpgsqlParameter<string[]> { TypedValue = [.. Enumerable.Range(100, 10).Select(i => $"key-{i}")] } },
        };
        var text = await PlanAsync(explain);

        Assert.Contains("\"PK_record_dedupe\"", text);
        Assert.Contains($"{today}_pkey", text);
        Assert.DoesNotContain("Seq Scan on record_dedupe", text);
        Assert.DoesNotContain($"Seq Scan on {today}", text);
    }

    [PostgresFact]
    public async Task The_insert_finds_stored_keys_by_the_primary_key_and_numbers_a_batch_in_its_order()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        using var store = new PostgresRecordStore(dataSource);
        foreach (var chunk in Enumerable.Range(10_000, 5_000).Chunk(500))
            await store.WriteAsync([.. chunk.Select(Record)], CancellationToken.None);
        await using var connection = await dataSource.OpenConnectionAsync();
        await ScalarAsync(connection, "ANALYZE records, record_dedupe");

        // Stored keys, new keys and a key twice in the batch: the first of each new key is stored, in batch order.
        EventRecord[] batch = [Record(10_042), Record(20_003), Record(20_001), Record(20_003), Record(10_043), Record(20_002)];
        var written = await store.WriteAsync(batch, CancellationToken.None);

        Assert.Equal([true, false, false, true, true, false], written.Select(w => w.Duplicate));
        Assert.Equal(written[1].Id, written[3].Id);
        Assert.True(written[1].Id < written[2].Id && written[2].Id < written[5].Id);
        await using var explain = new NpgsqlCommand("EXPLAIN " + PostgresRecordStore.InsertSql, connection);
        // Ten rows, as the auto-prepared statement's generic plan assumes of each array: with 500 the planner rightly
        // hashes a table of this test's size, and probes by key only once it holds far more keys than a batch.
        explain.Parameters.AddRange(PostgresRecordStore.RecordArrays([.. Enumerable.Range(30_000, 10).Select(Record)]));
        var text = await PlanAsync(explain);

        Assert.Contains("\"PK_record_dedupe\"", text);
        Assert.DoesNotContain("Seq Scan on record_dedupe", text);
    }

    /// <summary>The plan PostgreSQL prints for <paramref name="explain"/> (an EXPLAIN), one line per step, at its real costs.</summary>
    private static async Task<string> PlanAsync(NpgsqlCommand explain)
    {
        var plan = new List<string>();
        await using var reader = await explain.ExecuteReaderAsync();
        while (await reader.ReadAsync()) plan.Add(reader.GetString(0));
        return string.Join('\n', plan);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static EventRecord Record(int i) => new()
    {
        Kind = "container", Source = "ci", Format = "simple", Entry = "terminated", InstanceKey = $"ci/i{i % 50}", InstanceName = $"i{i % 50}",
        ExitCode = 1, Reason = "Error", OccurredAt = Now.AddMilliseconds(i), ReceivedAt = Now, LastSeenAt = Now.AddMilliseconds(i),
        Category = "exit.app-error", Severity = "error", IsFailure = true, DedupeKey = $"key-{i}", RawJson = "{}",
    };
}
