using System.Text;
using Npgsql;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// On PostgreSQL too a record stored under its hash-only dedupe key before keys began with the source's time is a
/// duplicate when re-sent, up to the horizon the migration kept; later facts get keys of the new shape.
/// </summary>
public sealed class DedupeKeysByTimeTests(MigratedPostgres database) : IClassFixture<MigratedPostgres>
{
    private static List<EventRecord> Exits(DateTimeOffset at)
    {
        var item = $$"""[{"source": "nomad", "cluster": "eu-1", "namespace": "shop", "workload": "inventory", "instance": "svc-pg", "container": "app", "exitCode": 137, "reason": "Error", "finishedAt": "{{at:O}}"}]""";
        var context = new ParseContext(PayloadFormats.Container, DateTimeOffset.UtcNow, _ => null);
        using var parsed = PayloadReader.Split(Encoding.UTF8.GetBytes(item), false, 10);
        PayloadFormats.Parse(PayloadFormats.Container, parsed, null, context);
        return context.Records;
    }

    [PostgresFact]
    public async Task A_record_stored_under_its_hash_only_key_is_a_duplicate_when_re_sent_up_to_the_horizon()
    {
        var at = DateTimeOffset.UtcNow.AddMinutes(-5);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var old = Exits(at)[0];
        old.DedupeKey = old.LegacyDedupeKey!;
        long oldId;
        using (var before = new PostgresRecordStore(dataSource))
            oldId = (await before.WriteAsync([old], CancellationToken.None))[0].Id;
        // As the migration keeps it on a store that held records: the latest source time among them.
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var horizon = new NpgsqlCommand($"UPDATE {DedupeKeys.HorizonTable} SET lastoccurredat = {at.ToUnixTimeMilliseconds()}", connection))
            Assert.Equal(1, await horizon.ExecuteNonQueryAsync());

        using var store = new PostgresRecordStore(dataSource);
        Assert.Equal(new StoredRecord(oldId, Duplicate: true, Updated: false), (await store.WriteAsync(Exits(at), CancellationToken.None))[0]);
        var later = await store.WriteAsync(Exits(at.AddSeconds(1)), CancellationToken.None);
        Assert.False(later[0].Duplicate);
        Assert.True((await store.WriteAsync(Exits(at.AddSeconds(1)), CancellationToken.None))[0].Duplicate);
    }
}
