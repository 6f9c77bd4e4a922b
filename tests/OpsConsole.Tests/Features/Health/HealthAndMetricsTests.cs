using System.Net;

namespace OpsConsole.Tests.Features.Health;

public sealed class HealthAndMetricsTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public HealthAndMetricsTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Liveness_answers_healthy()
    {
        var response = await _factory.CreateClient().GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_checks_the_migrated_database()
    {
        var response = await _factory.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readiness_fails_when_the_database_file_is_not_a_database()
    {
        using var broken = new OpsConsoleFactory();
        _ = broken.CreateClient(); // start: migrates the file
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(broken.Directory)) File.WriteAllText(file, "this is not sqlite");
        var response = await broken.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
    }

    [Fact]
    public async Task Migrations_create_the_schema_in_a_fresh_file_in_wal_mode()
    {
        _ = _factory.CreateClient();
        Assert.True(File.Exists(_factory.DatabasePath));
        Assert.True(_factory.Scalar("SELECT COUNT(*) FROM __EFMigrationsHistory") >= 1);
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM records"));
        using var connection = _factory.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", command.ExecuteScalar() as string);
    }

    [Fact]
    public async Task Metrics_expose_http_and_console_metrics()
    {
        var api = _factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", Samples.Read("docker/event-die-exit1-app-error-api152.json"));

        var text = await _factory.CreateClient().GetStringAsync("/metrics");
        Assert.Contains("http_requests_received_total", text);
        Assert.Contains("opsconsole_records_ingested_total{kind=\"container\",source=\"docker\"}", text);
        Assert.Contains("opsconsole_records_classified_total{category=\"exit.app-error\",severity=\"error\"}", text);
        Assert.Contains("opsconsole_ingest_batch_duration_seconds_bucket", text);
    }
}
