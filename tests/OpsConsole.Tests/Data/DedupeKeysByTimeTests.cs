using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using OpsConsole.Data;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data;

/// <summary>
/// Dedupe keys of items with a time of their own start with that time; a store migrated from hash-only keys still
/// finds a record stored before the change when it is re-sent, and looks the old key up only up to the latest source time stored then.
/// </summary>
public sealed class DedupeKeysByTimeTests : IDisposable
{
    private const string LastWithHashOnlyKeys = "20261128022918_QuietInstancesBySourceOnly";
    private static readonly DateTimeOffset Received = DateTimeOffset.Parse("2026-11-28T08:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private readonly string _directory = Directory.CreateTempSubdirectory("opsconsole-dedupe-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_directory, "console.db")}";

    private OpsDbContext Open() => new(new DbContextOptionsBuilder<OpsDbContext>().UseSqlite(ConnectionString).Options);

    /// <summary>One container exit per time, parsed as the ingest endpoint parses it.</summary>
    private static List<EventRecord> Exits(params DateTimeOffset[] times)
    {
        var items = string.Join(", ", times.Select(t =>
            $$"""{"source": "nomad", "cluster": "eu-1", "namespace": "shop", "workload": "inventory", "instance": "svc-1", "container": "app", "exitCode": 137, "reason": "Error", "finishedAt": "{{t:O}}"}"""));
        var context = new ParseContext(PayloadFormats.Container, Received, _ => null);
        using var parsed = PayloadReader.Split(Encoding.UTF8.GetBytes($"[{items}]"), false, 100);
        PayloadFormats.Parse(PayloadFormats.Container, parsed, null, context);
        return context.Records;
    }

    [Fact]
    public void A_timed_key_is_the_source_time_in_fixed_width_hex_then_the_hash_so_later_facts_sort_after()
    {
        var at = Received.AddMinutes(-5);
        var records = Exits(at, at.AddMilliseconds(1), at.AddDays(3));

        var first = records[0];
        Assert.Equal(at.ToUnixTimeMilliseconds().ToString("x12", System.Globalization.CultureInfo.InvariantCulture) + first.LegacyDedupeKey, first.DedupeKey);
        Assert.Equal(32, first.LegacyDedupeKey!.Length);
        Assert.Equal(records.Select(r => r.DedupeKey), records.Select(r => r.DedupeKey).Order(StringComparer.Ordinal));
        // The same item parsed again gets the same key.
        Assert.Equal(first.DedupeKey, Exits(at)[0].DedupeKey);
    }

    [Fact]
    public async Task A_record_stored_under_its_hash_only_key_is_a_duplicate_when_re_sent_after_the_migration()
    {
        var at = Received.AddMinutes(-5);
        await using (var db = Open()) await db.GetService<IMigrator>().MigrateAsync(LastWithHashOnlyKeys);
        // As the console stored it before: the hash alone (a schema without the horizon table reads as "none stored").
        var old = Exits(at)[0];
        old.DedupeKey = old.LegacyDedupeKey!;
        old.LegacyDedupeKey = null;
        long oldId;
        using (var before = new SqliteRecordStore(new SqliteConnectionFactory(ConnectionString)))
            oldId = (await before.WriteAsync([old], CancellationToken.None))[0].Id;

        await using (var db = Open())
        {
            await db.Database.MigrateAsync();
            var horizon = await db.Database.SqlQueryRaw<long?>($"SELECT LastOccurredAt AS \"Value\" FROM {DedupeKeys.HorizonTable}").SingleAsync();
            Assert.Equal(at.ToUnixTimeMilliseconds(), horizon);
        }

        using var store = new SqliteRecordStore(new SqliteConnectionFactory(ConnectionString));
        var resent = await store.WriteAsync(Exits(at), CancellationToken.None);
        Assert.Equal(new StoredRecord(oldId, Duplicate: true, Updated: false), resent[0]);

        // Past the horizon nothing was stored the old way: a new fact gets a key of the new shape, and is found by it when re-sent.
        var later = Exits(at.AddSeconds(1));
        var added = await store.WriteAsync(later, CancellationToken.None);
        Assert.False(added[0].Duplicate);
        Assert.Equal(new StoredRecord(added[0].Id, Duplicate: true, Updated: false), (await store.WriteAsync(Exits(at.AddSeconds(1)), CancellationToken.None))[0]);

        await using var check = Open();
        Assert.Equal(2, await check.Records.CountAsync());
        Assert.Equal(later[0].DedupeKey, (await check.Records.SingleAsync(r => r.Id == added[0].Id)).DedupeKey);
    }

    [Fact]
    public async Task A_store_created_with_time_keys_has_no_horizon_and_never_looks_old_keys_up()
    {
        await using (var db = Open()) await db.Database.MigrateAsync();
        var at = Received.AddMinutes(-5);
        // Stored under the old shape (as only an old console would): with no horizon, the new key is not matched to it.
        var old = Exits(at)[0];
        old.DedupeKey = old.LegacyDedupeKey!;
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(ConnectionString));
        await store.WriteAsync([old], CancellationToken.None);

        Assert.False((await store.WriteAsync(Exits(at), CancellationToken.None))[0].Duplicate);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
