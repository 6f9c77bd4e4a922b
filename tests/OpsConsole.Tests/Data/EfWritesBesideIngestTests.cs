using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Instances;
using OpsConsole.Features.SourceHealth;

namespace OpsConsole.Tests.Data;

/// <summary>
/// EF Core's writes on SQLite and the senders' rows queue for the record store's writer like ingest transactions: while
/// a write transaction holds it they wait (in the store's queue, not in SQLite's busy handler inside that transaction).
/// </summary>
public sealed class EfWritesBesideIngestTests
{
    [Fact]
    public async Task An_EF_save_waits_while_a_write_transaction_holds_the_writer()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var db = Context(database);

        db.AuditLog.Add(new AuditEntry { At = DateTimeOffset.UtcNow, Actor = "tester", Action = "test.saved", Target = "beside" });

        Task<int>? save = null;
        Assert.False(await DoneWhileTheWriterIsHeldAsync(store, () => save = Task.Run(() => db.SaveChangesAsync())));
        Assert.Equal(1, await save!);
    }

    [Fact]
    public async Task An_EF_save_with_nothing_to_write_does_not_queue_for_the_writer()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var db = Context(database);

        var saved = -1;
        await store.InSlicesAsync("rebuild", 1, (_, _, _) =>
        {
            // Inside the writer's own transaction: a save that queued would wait for it forever (given up after a minute).
            var save = db.SaveChangesAsync();
            saved = save.Wait(TimeSpan.FromMinutes(1)) ? save.Result : -1;
        }, CancellationToken.None);

        Assert.Equal(0, saved);
    }

    [Fact]
    public async Task An_EF_bulk_delete_waits_while_a_write_transaction_holds_the_writer()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var db = Context(database);
        db.Acknowledgements.Add(new InstanceAcknowledgement { InstanceKey = "docker/h/acked", Status = InstanceAcknowledgement.Acknowledged, At = DateTimeOffset.UtcNow, By = "tester" });
        await db.SaveChangesAsync();

        Task<int>? update = null;
        Assert.False(await DoneWhileTheWriterIsHeldAsync(store,
            () => update = Task.Run(() => db.Acknowledgements.Where(a => a.InstanceKey == "docker/h/acked").ExecuteDeleteAsync())));
        Assert.Equal(1, await update!);
    }

    [Fact]
    public async Task Senders_saved_through_the_store_wait_for_the_writer_and_merge_into_their_rows()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        var minute = at.ToUnixTimeMilliseconds() / 60_000;
        await store.SaveSourceOriginsAsync([Sighting("edge-a", "unit", at, $"{minute - 2}:3,{minute - 1}:7")], minute - 60, CancellationToken.None);

        // Another node's view: an earlier sighting (kind and time stay), one minute counted higher, one new minute.
        Task? save = null;
        Assert.False(await DoneWhileTheWriterIsHeldAsync(store, () => save = Task.Run(() => store.SaveSourceOriginsAsync(
            [Sighting("edge-a", "other-kind", at.AddSeconds(-30), $"{minute - 1}:5,{minute - 2}:4,{minute}:1"), Sighting("edge-b", "unit", at, null)],
            minute - 60, CancellationToken.None))));
        await save!;

        await using var db = Context(database);
        var rows = await db.SourceOrigins.AsNoTracking().OrderBy(o => o.Origin).ToListAsync();
        Assert.Equal(["edge-a", "edge-b"], rows.Select(r => r.Origin));
        Assert.Equal(("unit", at), (rows[0].Kind, rows[0].LastSeenAt));
        Assert.Equal($"{minute - 2}:4,{minute - 1}:7,{minute}:1", rows[0].LastHour);
        Assert.Null(rows[1].LastHour);
    }

    /// <summary>
    /// Starts a write (<paramref name="start"/>) inside a write transaction that then holds the writer 200 ms more: whether
    /// the write was done before that transaction ended.
    /// </summary>
    private static async Task<bool> DoneWhileTheWriterIsHeldAsync(SqliteRecordStore store, Func<Task> start)
    {
        var done = true;
        await store.InSlicesAsync("rebuild", 1, (_, _, _) =>
        {
            var write = start();
            Thread.Sleep(200);
            done = write.IsCompleted;
        }, CancellationToken.None);
        return done;
    }

    internal static SourceOrigin Sighting(string origin, string kind, DateTimeOffset at, string? lastHour) =>
        new() { Source = "aos", Origin = origin, Kind = kind, LastSeenAt = at, LastHour = lastHour };

    /// <summary>A context as the console configures it on SQLite: its bulk statements go through <see cref="EfWriteInterceptor"/>.</summary>
    private static OpsDbContext Context(MigratedDatabase database) =>
        new(new DbContextOptionsBuilder<OpsDbContext>().UseSqlite(database.ConnectionString).AddInterceptors(new EfWriteInterceptor()).Options);
}
