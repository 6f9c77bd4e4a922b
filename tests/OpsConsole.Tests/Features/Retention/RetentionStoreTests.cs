using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.Records;
using OpsConsole.Features.Retention;
using OpsConsole.Tests.Data;
using OpsConsole.Tests.Data.Postgres;

namespace OpsConsole.Tests.Features.Retention;

/// <summary>
/// The same retention run on each provider's store: records written through the store's own write path with old
/// received times, then one run of the job. What is deleted, what is kept, the counters and the storage figures.
/// </summary>
public abstract class RetentionStoreTests
{
    private static readonly DateTimeOffset Old = DateTimeOffset.UtcNow.AddDays(-120);

    protected abstract Task<OpsConsoleFactory> NewFactoryAsync();

    [Fact]
    public async Task Expired_records_go_except_current_records_their_evidence_and_a_failing_instances_ticked_record()
    {
        using var factory = await NewFactoryAsync();
        var store = factory.Services.GetRequiredService<IRecordStore>();
        // ci/a: fails, then runs again (current). ci/b: fails twice; the first failure has a runbook tick. ci/c: three exits
        // and a crash loop derived from them (current). ci/d: one recent record and one expired.
        var a = await WriteAsync(store, Record("a", 0, failure: true), Record("a", 1, failure: false));
        var b = await WriteAsync(store, Record("b", 2, failure: true), Record("b", 3, failure: true));
        var c = await WriteAsync(store, Record("c", 4, failure: true), Record("c", 5, failure: true), Record("c", 6, failure: true));
        var loop = DerivedRecord.Create(new InstanceIdentity("ci/c", "container", "ci", "c", null, []), "restart.crash-loop", "critical",
            "pattern-crash-loop", "3 exits", "crash loop", c, Old.AddMinutes(7), "test");
        await WriteAsync(store, loop);
        var d = await WriteAsync(store, Record("d", 8, failure: false), Record("d", 0, failure: false, at: DateTimeOffset.UtcNow));
        factory.Scalar($"""
            INSERT INTO runbook_steps (InstanceKey, RecordId, Category, StepId, StepText, Done, At)
            VALUES ('ci/b', {b[0]}, 'exit.app-error', 'logs', 'Read the logs', {True(factory)}, 0)
            """);
        var figures = await store.StorageFiguresAsync(CancellationToken.None);
        Assert.Equal(10, figures.Records);
        Assert.Equal(Old.ToUnixTimeMilliseconds(), figures.OldestReceivedAt?.ToUnixTimeMilliseconds());
        Assert.True(figures.BytesOnDisk > 0);

        var run = await factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None);

        Assert.Equal(2, run.Deleted); // a's failure, d's expired record
        Assert.Equal(7, run.Kept);
        Assert.Equal(0, factory.Scalar($"SELECT COUNT(*) FROM records WHERE Id IN ({a[0]}, {d[0]})"));
        Assert.Equal(8, factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(8, (await store.StorageFiguresAsync(CancellationToken.None)).Records);
        Assert.Equal(4, factory.Scalar("SELECT COUNT(*) FROM instance_states"));
        RecordCounterTests.AssertCountersMatch(factory);
        Assert.Equal(0, (await factory.Services.GetRequiredService<RetentionJob>().RunAsync(CancellationToken.None)).Deleted);
    }

    private static string True(OpsConsoleFactory factory) => factory is PostgresConsoleFactory ? "true" : "1";

    private static async Task<long[]> WriteAsync(IRecordStore store, params EventRecord[] records) =>
        [.. (await store.WriteAsync(records, CancellationToken.None)).Select(r => r.Id)];

    private static EventRecord Record(string instance, int minute, bool failure, DateTimeOffset? at = null)
    {
        var when = at ?? Old.AddMinutes(minute);
        return new EventRecord
        {
            Kind = "container", Source = "ci", Format = "simple", Entry = "terminated", InstanceKey = $"ci/{instance}", InstanceName = instance,
            ExitCode = failure ? 1 : 0, Reason = failure ? "Error" : "Completed",
            OccurredAt = when, ReceivedAt = when, LastSeenAt = when,
            Category = failure ? "exit.app-error" : "exit.completed", Severity = failure ? "error" : "info", IsFailure = failure,
            DedupeKey = $"{instance}|{when.ToUnixTimeMilliseconds()}|{failure}", RawJson = "{}",
        };
    }
}

public sealed class SqliteRetentionStoreTests : RetentionStoreTests
{
    protected override Task<OpsConsoleFactory> NewFactoryAsync() => Task.FromResult(new OpsConsoleFactory());
}

public sealed class PostgresRetentionStoreTests : RetentionStoreTests
{
    protected override async Task<OpsConsoleFactory> NewFactoryAsync() => await PostgresConsoleFactory.StartAsync([]);
}
