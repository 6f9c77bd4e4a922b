using System.Data.Common;
using Npgsql;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// The real app on PostgreSQL (Database:Provider = Postgres): a fresh database of the test run's cluster per fixture,
/// migrated at start as in production, dropped at the end.
/// </summary>
public class PostgresConsoleFactory : OpsConsoleFactory, IAsyncLifetime
{
    private readonly PostgresDatabase _database = new();

    public PostgresConsoleFactory() : this(new Dictionary<string, string?>()) { }

    internal PostgresConsoleFactory(Dictionary<string, string?> settings, bool withApiKey = true) : base(settings, withApiKey) { }

    public string ConnectionString => _database.ConnectionString;

    /// <summary>A factory made inside a test rather than as a class fixture (its database lives until the cluster stops).</summary>
    internal static async Task<PostgresConsoleFactory> StartAsync(Dictionary<string, string?> settings)
    {
        var factory = new PostgresConsoleFactory(settings);
        await factory.InitializeAsync();
        return factory;
    }

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        Configure("Database:Provider", "Postgres");
        Configure("ConnectionStrings:OpsConsole", _database.ConnectionString);
    }

    protected override DbConnection NewConnection() => new NpgsqlConnection(_database.ConnectionString);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _database.DisposeAsync();
    }
}
