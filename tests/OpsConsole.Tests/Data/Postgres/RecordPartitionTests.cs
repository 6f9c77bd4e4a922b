using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;
using OpsConsole.Features.Records;
using OpsConsole.Features.Retention;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// records partitioned by received day on a real PostgreSQL: the days ahead exist, the dedupe key holds across days,
/// retention drops a whole expired day while ingestion goes on, and keeps a day that holds an instance's current failure.
/// </summary>
public sealed class RecordPartitionTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private static readonly DateTimeOffset Old = Now.AddDays(-120);
    private static readonly long OldDay = RecordPartitions.DayOf(Old.ToUnixTimeMilliseconds());

    [PostgresFact]
    public async Task Start_up_creates_today_and_the_days_ahead()
    {
        using var factory = await PostgresConsoleFactory.StartAsync([]);
        _ = factory.Services;
        var today = RecordPartitions.DayOf(Now.ToUnixTimeMilliseconds());

        for (var day = today; day <= today + RecordPartitions.DaysAhead; day++)
            Assert.Equal(1, Partitions(factory, RecordPartitions.Name(day)));
        Assert.Equal(0, Partitions(factory, RecordPartitions.Name(today + RecordPartitions.DaysAhead + 1)));
    }

    [PostgresFact]
    public async Task A_duplicate_is_refused_when_it_arrives_on_another_day()
    {
        using var factory = await PostgresConsoleFactory.StartAsync([]);
        var store = factory.Services.GetRequiredService<IRecordStore>();

        // The older day has no partition yet: the write path makes it.
        var first = await store.WriteAsync([Record("dup", Old, "same-key")], CancellationToken.None);
        var again = await store.WriteAsync([Record("dup", Now, "same-key"), Record("dup", Now, "same-key")], CancellationToken.None);

        Assert.False(first[0].Duplicate);
        Assert.All(again, stored => Assert.True(stored.Duplicate));
        Assert.All(again, stored => Assert.Equal(first[0].Id, stored.Id));
        Assert.Equal(1, factory.Scalar("SELECT COUNT(*) FROM records WHERE DedupeKey = 'same-key'"));
        Assert.Equal(1, Partitions(factory, RecordPartitions.Name(OldDay)));
    }

    [PostgresFact]
    public async Task Retention_drops_an_expired_day_whole_while_ingest_goes_on()
    {
        using var factory = await PostgresConsoleFactory.StartAsync([]);
        var store = factory.Services.GetRequiredService<IRecordStore>();
        // 40 old exits of 8 instances, each instance then seen today: no old record is current.
        await store.WriteAsync([.. Enumerable.Range(0, 40).Select(i => Record($"i{i % 8}", Old.AddMinutes(i), $"old-{i}"))], CancellationToken.None);
        await store.WriteAsync([.. Enumerable.Range(0, 8).Select(i => Record($"i{i}", Now, $"new-{i}"))], CancellationToken.None);

        using var stop = new CancellationTokenSource();
        var written = 0;
        var ingest = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var n = Volatile.Read(ref written);
                await store.WriteAsync([Record($"live{n % 5}", DateTimeOffset.UtcNow, $"live-{n}")], CancellationToken.None);
                Interlocked.Increment(ref written);
            }
        });
        while (Volatile.Read(ref written) < 5) await Task.Delay(10);
        var before = Volatile.Read(ref written);
        var run = await factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);
        var after = Volatile.Read(ref written);
        await Task.Delay(100);
        await stop.CancelAsync();
        await ingest;

        Assert.Equal(40, run.Deleted);
        Assert.Equal(0, Partitions(factory, RecordPartitions.Name(OldDay)));
        Assert.Equal(0, factory.Scalar($"SELECT COUNT(*) FROM pg_class WHERE relname = '{RecordPartitions.Name(OldDay)}'"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM record_dedupe WHERE DedupeKey LIKE 'old-%'"));
        Assert.True(after > before, "ingest went on during the run");
        // (The crash-loop watcher adds derived records of its own for the live instances.)
        Assert.Equal(8 + written, factory.Scalar("SELECT COUNT(*) FROM records WHERE DedupeKey LIKE 'new-%' OR DedupeKey LIKE 'live-%'"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records WHERE DedupeKey LIKE 'old-%'"));
        Assert.Equal(factory.Scalar("SELECT COUNT(*) FROM records"), factory.Scalar("SELECT COUNT(*) FROM record_dedupe"));
        RecordCounterTests.AssertCountersMatch(factory);
    }

    [PostgresFact]
    public async Task A_day_holding_a_current_failure_stays_and_only_its_other_rows_go()
    {
        using var factory = await PostgresConsoleFactory.StartAsync([]);
        var store = factory.Services.GetRequiredService<IRecordStore>();
        var failing = await store.WriteAsync([Record("still-failing", Old, "failing")], CancellationToken.None);
        await store.WriteAsync([Record("recovered", Old.AddMinutes(1), "recovered-old")], CancellationToken.None);
        await store.WriteAsync([Record("recovered", Now, "recovered-new")], CancellationToken.None);

        var run = await factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.Equal(1, run.Deleted);
        Assert.Equal(1, run.Kept);
        Assert.Equal(1, Partitions(factory, RecordPartitions.Name(OldDay)));
        Assert.Equal(1, factory.Scalar($"SELECT COUNT(*) FROM records WHERE Id = {failing[0].Id}"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records WHERE DedupeKey = 'recovered-old'"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM record_dedupe WHERE DedupeKey = 'recovered-old'"));
        RecordCounterTests.AssertCountersMatch(factory);

        // Once the instance has a newer record, its old failure explains nothing and the day goes whole.
        await store.WriteAsync([Record("still-failing", Now, "failing-new")], CancellationToken.None);
        Assert.Equal(1, (await factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None)).Deleted);
        Assert.Equal(0, Partitions(factory, RecordPartitions.Name(OldDay)));
        RecordCounterTests.AssertCountersMatch(factory);
    }

    private static long Partitions(OpsConsoleFactory factory, string name) => factory.Scalar(
        $"SELECT COUNT(*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'records'::regclass AND c.relname = '{name}'");

    private static EventRecord Record(string instance, DateTimeOffset at, string dedupeKey) => new()
    {
        Kind = "container", Source = "ci", Format = "simple", Entry = "terminated", InstanceKey = $"ci/{instance}", InstanceName = instance,
        ExitCode = 1, Reason = "Error", OccurredAt = at, ReceivedAt = at, LastSeenAt = at,
        Category = "exit.app-error", Severity = "error", IsFailure = true, DedupeKey = dedupeKey, RawJson = "{}",
    };
}
