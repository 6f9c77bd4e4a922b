using Npgsql;
using OpsConsole.Data.Postgres;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// The write path opens and commits its transactions by SQL inside its batches (BEGIN with the lock, COMMIT with the
/// last statements): a write that fails part-way leaves nothing behind on the connection, which goes back to the pool
/// rolled back, so the next write on that same connection starts clean.
/// </summary>
public sealed class WriteTransactionTests(MigratedPostgres database) : IClassFixture<MigratedPostgres>
{
    [PostgresFact]
    public async Task A_write_that_fails_part_way_is_rolled_back_and_the_connection_serves_the_next()
    {
        // One connection: the retry after the failure runs on the connection the failed attempt used.
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(database.ConnectionString) { MaxPoolSize = 1, NoResetOnClose = true }.ConnectionString);
        using var store = new PostgresRecordStore(dataSource);
        var now = DateTimeOffset.UtcNow;
        var longAgo = now.AddDays(-200);

        // The old day has no partition: the first attempt claims both keys, then fails on the insert into records, and
        // the store creates the day and writes again.
        var stored = await store.WriteAsync([Record("today", now), Record("long-ago", longAgo)], CancellationToken.None);
        var next = await store.WriteAsync([Record("after", now)], CancellationToken.None);

        Assert.All(stored, s => Assert.False(s.Duplicate));
        Assert.False(next[0].Duplicate);
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT COUNT(*) FROM record_dedupe WHERE DedupeKey LIKE 'tx-%'"));
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT COUNT(*) FROM records WHERE DedupeKey LIKE 'tx-%'"));
        Assert.Equal(3L, await ScalarAsync(connection, "SELECT COALESCE(SUM(Records), 0)::bigint FROM category_counts"));
        // Back in the pool outside any transaction: a write transaction left open would own a transaction id here.
        Assert.Equal(true, await ScalarAsync(connection, "SELECT pg_current_xact_id_if_assigned() IS NULL"));
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    private static EventRecord Record(string key, DateTimeOffset received) => new()
    {
        Kind = "container", Source = "ci", Format = "simple", Entry = "terminated", InstanceKey = $"ci/{key}", InstanceName = key,
        ExitCode = 1, Reason = "Error", OccurredAt = received, ReceivedAt = received, LastSeenAt = received,
        Category = "exit.app-error", Severity = "error", IsFailure = true, DedupeKey = $"tx-{key}", RawJson = "{}",
    };
}
