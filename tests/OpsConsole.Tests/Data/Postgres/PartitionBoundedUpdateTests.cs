using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsConsole.Data.Postgres;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// The store's updates of stored records name each record's received time beside its id, so PostgreSQL looks for the
/// row in the received day's partition only, not in every day's (the migrated database has today's and seven ahead).
/// </summary>
public sealed partial class PartitionBoundedUpdateTests(MigratedPostgres database) : IClassFixture<MigratedPostgres>
{
    private static readonly DateTimeOffset Noon = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(12);

    [PostgresFact]
    public async Task A_reclassified_slice_is_updated_in_its_received_days_partition_only()
    {
        var first = Noon.ToUnixTimeMilliseconds();
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        var plan = await QueryPlan.OfAsync(connection, PostgresRecordStore.ReclassifySql(first, first + 300_000),
            Positional(new[] { "exit.oom" }, new[] { "error" }, new[] { "r" }, new[] { "e" }, new[] { "v2" }, new[] { true }, new string?[] { null }, new[] { 7L }));

        Assert.Equal([Today], PartitionsIn(plan));
    }

    [PostgresFact]
    public async Task A_repeated_records_count_is_updated_in_its_received_days_partition_only()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        var plan = await QueryPlan.OfAsync(connection, PostgresRecordStore.OccurrenceSql,
            Positional(3, Noon.ToUnixTimeMilliseconds(), "again", "{}", 7L, Noon.ToUnixTimeMilliseconds()));

        Assert.Equal([Today], PartitionsIn(plan));
    }

    [PostgresFact]
    public async Task Reclassification_by_id_and_received_time_changes_the_stored_rows()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        using var store = new PostgresRecordStore(dataSource);
        // Received a few minutes apart, so the slice's bounds are a range and not one instant.
        var written = Enumerable.Range(0, 3).Select(i => Record(i, Noon.AddMinutes(i))).ToList();
        await store.WriteAsync(written, CancellationToken.None);

        List<EventRecord> stored;
        await using (var db = database.Context())
            stored = await db.Records.AsNoTracking().Where(r => r.InstanceKey == "bounded/i").OrderBy(r => r.Id).ToListAsync();
        foreach (var record in stored) record.Category = "exit.oom";
        var changed = await store.UpdateClassificationAsync(stored, CancellationToken.None);

        Assert.Equal(["bounded/i"], changed);
        await using var read = database.Context();
        Assert.Equal(["exit.oom", "exit.oom", "exit.oom"], await read.Records.Where(r => r.InstanceKey == "bounded/i").OrderBy(r => r.Id).Select(r => r.Category).ToListAsync());
    }

    private static string Today => RecordPartitions.Name(RecordPartitions.DayOf(Noon.ToUnixTimeMilliseconds()));

    private static (string Name, object Value)[] Positional(params object[] values) => values.Select(v => ("", v)).ToArray();

    /// <summary>The day partitions of records that the plan reads or writes.</summary>
    private static List<string> PartitionsIn(QueryPlan plan) =>
        plan.Steps.SelectMany(s => PartitionName().Matches(s).Select(m => m.Value)).Distinct().ToList();

    [GeneratedRegex(@"records_p\d{8}(?!_)")]
    private static partial Regex PartitionName();

    private static EventRecord Record(int i, DateTimeOffset received) => new()
    {
        Kind = "container", Source = "ci", Format = "simple", Entry = "terminated", InstanceKey = "bounded/i", InstanceName = "i",
        ExitCode = 1, Reason = "Error", OccurredAt = received, ReceivedAt = received, LastSeenAt = received,
        Category = "exit.app-error", Severity = "error", IsFailure = true, DedupeKey = $"bounded-{i}", RawJson = "{}",
    };
}
