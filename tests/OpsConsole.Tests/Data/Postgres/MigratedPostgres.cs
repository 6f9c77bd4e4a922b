using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>A fresh database of the test cluster migrated as the console migrates it, without a web host (a class fixture).</summary>
public sealed class MigratedPostgres : IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    public string ConnectionString => _database.ConnectionString;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        await using (var db = Context())
            await db.Database.MigrateAsync();
        // As the console does at start-up: records is partitioned by day, and a query plan needs partitions to read.
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_database.ConnectionString);
        await RecordPartitions.EnsureAheadAsync(dataSource, DateTimeOffset.UtcNow, CancellationToken.None);
    }

    public OpsDbContext Context() => new PostgresDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql(_database.ConnectionString).Options);

    public Task DisposeAsync() => _database.DisposeAsync();
}
