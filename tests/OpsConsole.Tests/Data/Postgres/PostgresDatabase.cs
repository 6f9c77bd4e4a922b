namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// A fresh, empty database on the test run's one PostgreSQL cluster, for one test class (an xUnit class fixture).
/// The cluster is started by the first class that needs it and stopped, by its pid, when the test process ends.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    private static readonly Lazy<Task<PostgresCluster>> Cluster = new(StartSharedAsync);

    public string Name { get; } = "t_" + Guid.NewGuid().ToString("n");
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync() => ConnectionString = await (await Cluster.Value).CreateDatabaseAsync(Name);

    public async Task DisposeAsync()
    {
        if (ConnectionString.Length > 0) await (await Cluster.Value).DropDatabaseAsync(Name);
    }

    private static async Task<PostgresCluster> StartSharedAsync()
    {
        var cluster = await PostgresCluster.StartAsync();
        // The test host is ended soon after its last test, so the exit handler only signals and hands the wait to a shell.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.StopOnExit();
        return cluster;
    }
}

/// <summary>
/// A test that needs PostgreSQL; skipped only on a developer machine without Debian's postgresql. Under .ci/run (which
/// installs it and sets OPSCONSOLE_REQUIRE_POSTGRES) a missing server fails the test instead, so they cannot go quiet.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!PostgresCluster.Installed && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("OPSCONSOLE_REQUIRE_POSTGRES"))) Skip = $"{PostgresCluster.InitDb} is not installed (apt-get install postgresql)";
    }
}
