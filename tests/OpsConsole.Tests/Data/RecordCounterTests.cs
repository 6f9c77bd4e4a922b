using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Data;

/// <summary>
/// The counter tables (records per category, failures per received hour) equal a count of the records table after
/// ingestion, duplicates and a reclassification, and the categories API answers from them.
/// </summary>
public abstract class RecordCounterTests : IDisposable
{
    private readonly string _rulesPath = Path.Combine(Path.GetTempPath(), $"opsconsole-rules-{Guid.NewGuid():n}.yaml");

    [Fact]
    public async Task Counters_equal_a_group_by_after_ingest_duplicates_and_reclassification()
    {
        File.WriteAllText(_rulesPath, "rules: []\n");
        using var factory = await NewFactoryAsync(new() { ["Classification:ExtraRulesPath"] = _rulesPath });
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", Batch("web", 60, exitCode: 1));
        await api.PostOkAsync("/api/v1/container-exits", Batch("job", 40, exitCode: 0));
        await api.PostOkAsync("/api/v1/container-exits", Batch("web", 60, exitCode: 1)); // all duplicates
        AssertCountersMatch(factory);
        Assert.Equal(100, factory.Scalar("SELECT SUM(Records) FROM category_counts"));
        var failing = await (await api.GetAsync("/api/v1/instances/failing")).ReadJsonAsync();
        Assert.Equal(factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE IsFailing"), failing.GetProperty("total").GetInt32());

        ChangeRules(factory, _rulesPath);
        await factory.Services.GetRequiredService<Reclassifier>().RunAsync(CancellationToken.None);

        AssertCountersMatch(factory);
        Assert.Equal(60, factory.Scalar("SELECT Records FROM category_counts WHERE Category = 'exit.sigkill'"));
        Assert.Equal(60, factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE Category = 'exit.sigkill' AND Severity = 'critical'"));
        var categories = await (await api.GetAsync("/api/v1/categories")).ReadJsonAsync();
        var sigkill = categories.EnumerateArray().Single(c => c.GetProperty("id").GetString() == "exit.sigkill");
        Assert.Equal(60, sigkill.GetProperty("records").GetInt32());
        Assert.Equal(60, sigkill.GetProperty("failingInstances").GetInt32());
    }

    internal static void AssertCountersMatch(OpsConsoleFactory factory)
    {
        Assert.Equal(0, factory.Scalar("""
            SELECT COUNT(*) FROM (SELECT Category, COUNT(*) AS n FROM records GROUP BY Category) g
            FULL JOIN (SELECT Category, Records AS n FROM category_counts WHERE Records <> 0) c USING (Category)
            WHERE g.n IS DISTINCT FROM c.n
            """));
        Assert.Equal(0, factory.Scalar("""
            SELECT COUNT(*) FROM (SELECT ReceivedAt / 3600000 AS Hour, COUNT(*) AS n FROM records WHERE IsFailure GROUP BY 1) g
            FULL JOIN (SELECT Hour, Failures AS n FROM failure_hours WHERE Failures <> 0) c USING (Hour)
            WHERE g.n IS DISTINCT FROM c.n
            """));
        Assert.Equal(0, factory.Scalar("""
            SELECT COUNT(*) FROM (SELECT Category, COUNT(*) AS n FROM instance_states WHERE IsFailing GROUP BY Category) g
            FULL JOIN (SELECT Category, FailingInstances AS n FROM category_counts WHERE FailingInstances <> 0) c USING (Category)
            WHERE g.n IS DISTINCT FROM c.n
            """));
    }

    /// <summary>Rewrites the operator rules so exit code 1 from ci is a SIGKILL, and loads them: a new rule-set version.</summary>
    internal static void ChangeRules(OpsConsoleFactory factory, string rulesPath)
    {
        File.WriteAllText(rulesPath, """
            rules:
              - id: ops-ci-exit-is-sigkill
                category: exit.sigkill
                severity: critical
                when: { source: [ci], exitCode: [1] }
            """);
        Assert.True(factory.Services.GetRequiredService<IncidentClassifier>().Reload());
    }

    internal static string Batch(string tag, int count, int exitCode) => "[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
        $$"""{"source":"ci","instance":"{{tag}}-{{i}}","exitCode":{{exitCode}},"reason":"Error","finishedAt":"2026-01-01T00:00:{{i % 60:00}}Z"}""")) + "]";

    protected abstract Task<OpsConsoleFactory> NewFactoryAsync(Dictionary<string, string?> settings);

    public void Dispose()
    {
        if (File.Exists(_rulesPath)) File.Delete(_rulesPath);
        GC.SuppressFinalize(this);
    }
}

public sealed class SqliteRecordCounterTests : RecordCounterTests
{
    protected override Task<OpsConsoleFactory> NewFactoryAsync(Dictionary<string, string?> settings) => Task.FromResult(new OpsConsoleFactory(settings));
}

public sealed class PostgresRecordCounterTests : RecordCounterTests
{
    protected override async Task<OpsConsoleFactory> NewFactoryAsync(Dictionary<string, string?> settings) =>
        await Postgres.PostgresConsoleFactory.StartAsync(settings);
}
