using Microsoft.EntityFrameworkCore;
using Npgsql;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// The PostgreSQL migrations (migrations/Postgres) build the model on an empty database and are not behind it; the
/// store's bare-identifier SQL finds the folded column names.
/// </summary>
public sealed class PostgresMigrationTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task The_migrations_build_the_model_and_match_it()
    {
        await using var db = new PostgresDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql(database.ConnectionString).Options);
        Assert.NotEmpty(await db.Database.GetPendingMigrationsAsync());
        await db.Database.MigrateAsync();

        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.False(db.Database.HasPendingModelChanges(), "the model differs from migrations/Postgres/PostgresDbContextModelSnapshot.cs");
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT COUNT(*) FROM instance_states WHERE IsFailing AND InstanceKey = 'x' AND LastFailureAt > 0", connection);
        Assert.Equal(0L, await command.ExecuteScalarAsync());
    }
}
