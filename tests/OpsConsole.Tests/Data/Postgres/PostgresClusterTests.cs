using Npgsql;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>The test cluster itself: a real server on loopback, one database per class that nothing else sees.</summary>
public sealed class PostgresClusterTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [PostgresFact]
    public async Task A_class_gets_its_own_empty_database_on_a_running_server()
    {
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT current_database(), split_part(current_setting('server_version'), '.', 1),
                   (SELECT count(*) FROM pg_tables WHERE schemaname = 'public'), inet_server_addr()::text
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal(database.Name, reader.GetString(0));
        Assert.Equal("15", reader.GetString(1));
        Assert.Equal(0L, reader.GetInt64(2));
        Assert.Equal("127.0.0.1/32", reader.GetString(3));
    }

    [PostgresFact]
    public async Task A_stopped_cluster_leaves_no_server_behind()
    {
        var cluster = await PostgresCluster.StartAsync();
        var connectionString = await cluster.CreateDatabaseAsync("probe");
        await using (var connection = new NpgsqlConnection(connectionString))
            await connection.OpenAsync();

        await cluster.DisposeAsync();

        NpgsqlConnection.ClearAllPools();
        await using var refused = new NpgsqlConnection(connectionString);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => refused.OpenAsync());
    }
}
