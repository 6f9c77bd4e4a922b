using Microsoft.EntityFrameworkCore;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data;

/// <summary>
/// Every read API's filter and order is served by an index (asserted on the query plan the database reports),
/// so a request costs the page it returns, not the history stored.
/// </summary>
public abstract class IndexUseTests : PlannedDatabase
{
    [Fact]
    public async Task The_failing_list_reads_the_partial_index_of_failing_instances_newest_first_without_sorting()
    {
        await using var db = await ContextAsync();
        var failing = await InstanceQueries.FailingQueryAsync(db, new FailingFilter(), default);
        var plan = await QueryPlan.OfAsync(InstanceQueries.Sort(failing, FailingSort.LastFailure, descending: true).Take(50));

        Assert.True(plan.ReadsThrough("IX_instance_states_failing_LastFailureAt"), plan.ToString());
        Assert.False(plan.ScansATable, plan.ToString());
        Assert.False(plan.SortsAfterReading, plan.ToString());
    }

    [Fact]
    public async Task The_failing_count_and_the_family_chips_read_only_the_failing_index()
    {
        await using var db = await ContextAsync();
        var failing = await InstanceQueries.FailingQueryAsync(db, new FailingFilter(), default);

        var byCategory = await QueryPlan.OfAsync(failing.GroupBy(s => s.Category).Select(g => new { g.Key, Count = g.Count() }));
        // PostgreSQL's planner may take either partial index: both hold the failing rows only.
        Assert.True(byCategory.ReadsThrough("IX_instance_states_failing_Category")
                    || (byCategory.Postgres && byCategory.ReadsThrough("IX_instance_states_failing_LastFailureAt")), byCategory.ToString());
        Assert.False(byCategory.ScansATable, byCategory.ToString());

        var ofCategory = await QueryPlan.OfAsync(
            (await InstanceQueries.FailingQueryAsync(db, new FailingFilter(Category: "exit.oom"), default)).Select(s => s.InstanceKey));
        Assert.True(ofCategory.Searches("IX_instance_states_failing_Category"), ofCategory.ToString());
    }

    [Fact]
    public async Task A_family_of_failing_instances_newest_first_is_a_seek_into_the_family_index_without_sorting()
    {
        await using var db = await ContextAsync();
        var failing = await InstanceQueries.FailingQueryAsync(db, new FailingFilter(Family: "exit"), default);
        var plan = await QueryPlan.OfAsync(InstanceQueries.Sort(failing, FailingSort.LastFailure, descending: true).Take(50));

        Assert.True(plan.Searches("IX_instance_states_failing_Family"), plan.ToString());
        Assert.False(plan.SortsAfterReading, plan.ToString());
    }

    [Fact]
    public async Task Failing_instances_by_failure_count_walk_the_failing_count_index_without_sorting()
    {
        await using var db = await ContextAsync();
        var failing = await InstanceQueries.FailingQueryAsync(db, new FailingFilter(), default);
        var plan = await QueryPlan.OfAsync(InstanceQueries.Sort(failing, FailingSort.Failures, descending: true).Take(50));

        Assert.True(plan.ReadsThrough("IX_instance_states_failing_FailureCount"), plan.ToString());
        Assert.False(plan.ScansATable, plan.ToString());
        Assert.False(plan.SortsAfterReading, plan.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(9000L)]
    public async Task Records_of_a_category_since_a_time_are_read_newest_first_from_the_category_and_time_index(long? cursor)
    {
        await using var db = await ContextAsync();
        var filter = new RecordFilter(Category: "exit.oom", Since: DateTimeOffset.Parse("2026-11-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var plan = await QueryPlan.OfAsync(RecordQueries.PageQuery(db, filter, cursor, limit: 100));

        // A seek to the range's newest end and a walk the LIMIT stops: the page, never the whole range sorted. (With no
        // rows nor statistics, PostgreSQL may take the time index alone and filter the category; both read newest first.)
        Assert.True(plan.Searches("IX_records_Category_OccurredAt") || (plan.Postgres && plan.Searches("IX_records_OccurredAt")), plan.ToString());
        Assert.False(plan.ScansATable, plan.ToString());
        Assert.False(plan.SortsEverythingRead, plan.ToString());
    }

    [Fact]
    public async Task Records_of_one_instance_come_in_timeline_order_from_the_timeline_index()
    {
        await using var db = await ContextAsync();
        var first = await QueryPlan.OfAsync(RecordQueries.PageQuery(db, new RecordFilter(Instance: "docker/h1/web"), cursor: null, limit: 100));
        var next = await QueryPlan.OfAsync(RecordQueries.PageQuery(db, new RecordFilter(Instance: "docker/h1/web"), cursor: 9000, limit: 100));

        // One index serves the timeline and these pages: no second per-instance index for every ingested record to update.
        foreach (var plan in new[] { first, next })
        {
            Assert.True(plan.Searches("IX_records_InstanceKey_OccurredAt"), plan.ToString());
            Assert.False(plan.ScansATable, plan.ToString());
            Assert.False(plan.SortsEverythingRead, plan.ToString());
        }
    }

    [Fact]
    public async Task An_instance_timeline_is_read_newest_first_through_the_timeline_index()
    {
        await using var db = await ContextAsync();
        var plan = await QueryPlan.OfAsync(RecordQueries.TimelineQuery(db, "docker/h1/web", 500));

        Assert.True(plan.Searches("IX_records_InstanceKey_OccurredAt"), plan.ToString());
        Assert.False(plan.ScansATable, plan.ToString());
    }

    [Fact]
    public async Task The_unfiltered_record_list_walks_ids_backwards_and_stops_at_the_page()
    {
        await using var db = await ContextAsync();
        var plan = await QueryPlan.OfAsync(RecordQueries.PageQuery(db, new RecordFilter(Category: "exit.oom"), cursor: null, limit: 100));

        Assert.True(plan.Searches("IX_records_Category_Id"), plan.ToString());
        Assert.False(plan.SortsAfterReading, plan.ToString());
    }
}

/// <summary>Start-up and background reads go through indexes over a bounded window, never over history.</summary>
public abstract class BoundedReadTests : PlannedDatabase
{
    private static readonly DateTimeOffset HourAgo = DateTimeOffset.Parse("2026-11-27T04:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Crash_loop_and_oom_priming_search_the_received_index()
    {
        await using var db = await ContextAsync();
        var crashLoops = await QueryPlan.OfAsync(OpsConsole.Features.Classification.Patterns.CrashLoopDetector.PrimeQuery(db, HourAgo));
        var ooms = await QueryPlan.OfAsync(OpsConsole.Sources.Docker.OomCorrelation.PrimeQuery(db, HourAgo));

        Assert.True(crashLoops.Searches("IX_records_ReceivedAt"), crashLoops.ToString());
        Assert.True(ooms.Searches("IX_records_ReceivedAt"), ooms.ToString());
    }

    [Fact]
    public async Task The_silence_check_seeks_the_quiet_instances_of_one_source_and_their_newest_records_by_id()
    {
        await using var db = await ContextAsync();
        var plan = await QueryPlan.OfAsync(OpsConsole.Features.Classification.Patterns.SilenceDetector.NewestOfQuietQuery(db, "aos"));

        Assert.True(plan.Searches("IX_instance_states_quiet_Source"), plan.ToString());
        Assert.False(plan.ScansATable, plan.ToString());
    }

    [Fact]
    public async Task The_reclassifier_finds_versions_and_their_records_by_seeking_the_version_index()
    {
        await using var db = await ContextAsync();
        var first = await QueryPlan.OfAsync(OpsConsole.Features.Classification.Reclassifier.NextVersionQuery(db, after: null));
        var next = await QueryPlan.OfAsync(OpsConsole.Features.Classification.Reclassifier.NextVersionQuery(db, after: "v1"));
        var batch = await QueryPlan.OfAsync(OpsConsole.Features.Classification.Reclassifier.BatchQuery(db, "v1", 500));

        // The first version is the index's first entry: a walk the LIMIT 1 stops at once, never the table.
        Assert.True(first.ReadsThrough("IX_records_RulesetVersion_Id") && !first.ScansATable && !first.SortsAfterReading, first.ToString());
        Assert.True(next.Searches("IX_records_RulesetVersion_Id") && !next.SortsAfterReading, next.ToString());
        Assert.True(batch.Searches("IX_records_RulesetVersion_Id") && !batch.SortsAfterReading, batch.ToString());
    }
}

/// <summary>A migrated, empty database whose plans the index tests read: a SQLite file, or a PostgreSQL database of the test cluster.</summary>
public abstract class PlannedDatabase
{
    protected abstract OpsConsole.Data.OpsDbContext Context();

    protected Task<OpsConsole.Data.OpsDbContext> ContextAsync() => Task.FromResult(Context());
}

/// <summary>A migrated SQLite file shared by one test class.</summary>
public sealed class MigratedSqlite : IAsyncLifetime
{
    private MigratedDatabase? _database;

    public async Task InitializeAsync() => _database = await MigratedDatabase.CreateAsync();

    public OpsConsole.Data.OpsDbContext Context() => _database!.Context();

    public async Task DisposeAsync() => await _database!.DisposeAsync();
}

public sealed class SqliteIndexUseTests(MigratedSqlite database) : IndexUseTests, IClassFixture<MigratedSqlite>
{
    protected override OpsConsole.Data.OpsDbContext Context() => database.Context();

    [Fact]
    public async Task A_retention_sweep_reads_the_received_index_only_up_to_the_cut()
    {
        await using var db = await ContextAsync();
        var plan = await QueryPlan.OfAsync(db.Database.GetDbConnection(), OpsConsole.Data.RecordRetention.OldestSql,
            ("@afterReceived", 0L), ("@afterId", 0L), ("@until", 1_000L), ("@batch", 500));

        // Bounded at both ends: with nothing past the cut, a sweep costs one seek, not a walk of every record (it holds the writer).
        Assert.Contains(plan.Steps, s => s.StartsWith("SEARCH c ", StringComparison.Ordinal) && s.Contains("ReceivedAt>?", StringComparison.Ordinal)
                                         && s.Contains("ReceivedAt<?", StringComparison.Ordinal));
    }
}

public sealed class PostgresIndexUseTests(Postgres.MigratedPostgres database) : IndexUseTests, IClassFixture<Postgres.MigratedPostgres>
{
    protected override OpsConsole.Data.OpsDbContext Context() => database.Context();

    [Fact]
    public async Task A_record_page_is_read_from_the_partition_of_its_received_day_only()
    {
        await using var db = await ContextAsync();
        var noon = new DateTimeOffset(DateTime.UtcNow.Date, TimeSpan.Zero).AddHours(12);
        var plan = await QueryPlan.OfAsync(RecordQueries.RowsQuery(db, [new RecordKey(7, noon), new RecordKey(9, noon.AddMinutes(5))]));

        // The database has today's partition and seven ahead: ids alone would be looked up in all eight.
        var partitions = plan.Steps.Where(s => System.Text.RegularExpressions.Regex.IsMatch(s, @" on records_p\d{8}")).ToList();
        Assert.Single(partitions);
        Assert.Contains(RecordPartitionName(noon), partitions[0], StringComparison.Ordinal);
        Assert.False(plan.ScansATable, plan.ToString());
    }

    private static string RecordPartitionName(DateTimeOffset at) =>
        OpsConsole.Data.Postgres.RecordPartitions.Name(OpsConsole.Data.Postgres.RecordPartitions.DayOf(at.ToUnixTimeMilliseconds()));
}

public sealed class SqliteBoundedReadTests(MigratedSqlite database) : BoundedReadTests, IClassFixture<MigratedSqlite>
{
    protected override OpsConsole.Data.OpsDbContext Context() => database.Context();
}

public sealed class PostgresBoundedReadTests(Postgres.MigratedPostgres database) : BoundedReadTests, IClassFixture<Postgres.MigratedPostgres>
{
    protected override OpsConsole.Data.OpsDbContext Context() => database.Context();
}
