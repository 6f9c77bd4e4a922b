using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsConsole.Data.Postgres;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>Senders' rows saved by the PostgreSQL store: each sighting merged into its row under the cluster-wide write lock.</summary>
public sealed class SourceOriginSaveTests(MigratedPostgres database) : IClassFixture<MigratedPostgres>
{
    [PostgresFact]
    public async Task Two_nodes_saving_the_same_sender_keep_the_later_sighting_and_the_larger_count_of_each_minute()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        using var node1 = new PostgresRecordStore(dataSource);
        using var node2 = new PostgresRecordStore(dataSource);
        var at = DateTimeOffset.FromUnixTimeMilliseconds(1_800_000_000_000);
        var minute = at.ToUnixTimeMilliseconds() / 60_000;

        // Both nodes add the new sender at once: neither save fails, and both views end up merged.
        await Task.WhenAll(
            node1.SaveSourceOriginsAsync([EfWritesBesideIngestTests.Sighting("pg-edge", "unit", at, $"{minute - 2}:3,{minute - 1}:7")], minute - 60, CancellationToken.None),
            node2.SaveSourceOriginsAsync([EfWritesBesideIngestTests.Sighting("pg-edge", "other-kind", at.AddSeconds(-30), $"{minute - 1}:5,{minute - 2}:4,{minute}:1")],
                minute - 60, CancellationToken.None));

        await using var db = database.Context();
        var row = await db.SourceOrigins.AsNoTracking().SingleAsync(o => o.Origin == "pg-edge");
        Assert.Equal(("unit", at), (row.Kind, row.LastSeenAt));
        Assert.Equal($"{minute - 2}:4,{minute - 1}:7,{minute}:1", row.LastHour);
    }
}
