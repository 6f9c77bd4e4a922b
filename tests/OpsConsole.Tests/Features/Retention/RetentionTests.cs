using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Retention;
using OpsConsole.Tests.Data;

namespace OpsConsole.Tests.Features.Retention;

/// <summary>
/// Retention on a real SQLite file, on a clock the test moves: what goes past Retention:MaxAge and Retention:MaxRecords,
/// what stays because it explains a current state, the counters, the notice to open pages and /metrics.
/// </summary>
public sealed class RetentionTests() : ClockedConsole(new() { ["Retention:MaxAge"] = "90.00:00:00" })
{
    private RetentionJob Job => Factory.Services.GetRequiredService<RetentionJob>();

    [Fact]
    public async Task Records_past_max_age_go_and_what_explains_a_current_failure_stays()
    {
        var api = Factory.CreateApiClient();
        var t0 = Clock.Now;
        await api.PostOkAsync("/api/v1/container-exits", Exits(Enumerable.Range(0, 10), exitCode: 1));
        Clock.Advance(TimeSpan.FromDays(1));
        await api.PostOkAsync("/api/v1/container-exits", Exits(Enumerable.Range(0, 6), exitCode: 0)); // job-0..5 run again
        var job8First = Factory.Scalar("SELECT LastRecordId FROM instance_states WHERE InstanceKey LIKE '%job-8'");
        Clock.Advance(TimeSpan.FromDays(1));
        await api.PostOkAsync("/api/v1/container-exits", Exits([8], exitCode: 1)); // a newer failure is job-8's current record
        // An operator ticked a step of the runbook opened on job-8's first failure: it is still being worked.
        Factory.Scalar($"""
            INSERT INTO runbook_steps (InstanceKey, RecordId, Category, StepId, StepText, Done, At)
            SELECT InstanceKey, {job8First}, Category, 'logs', 'Read the logs', 1, 0 FROM instance_states WHERE InstanceKey LIKE '%job-8';
            SELECT changes()
            """);
        var loopExits = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var posted = await api.PostOkAsync("/api/v1/container-exits", DockerDie("loop", Clock.Now.AddMinutes(i * 2)));
            loopExits.Add(posted.GetProperty("records")[0].GetProperty("id").GetInt64());
        }
        await Factory.Services.GetRequiredService<CrashLoopWatcher>().WhenIdleAsync(CancellationToken.None);
        var loop = Factory.Scalar("SELECT LastRecordId FROM instance_states WHERE InstanceKey = 'docker/local/loop'");
        Assert.Equal(string.Join(',', loopExits), Text($"SELECT DerivedFrom FROM records WHERE Id = {loop}")); // the crash loop is current

        Clock.Advance(TimeSpan.FromDays(100));
        await api.PostOkAsync("/api/v1/container-exits", Exits([0], exitCode: 0)); // recent: stays
        Assert.Equal(22, Factory.Scalar("SELECT COUNT(*) FROM records"));
        var removed = new List<string>();
        using var _ = Factory.Services.GetRequiredService<ICommitFeed>().Subscribe(notice =>
        {
            if (notice.Kinds.HasFlag(CommitKinds.Retention)) lock (removed) removed.AddRange(notice.InstanceKeys!);
        });

        var run = await Job.RunAsync(CancellationToken.None);

        // Gone: job-0..5's first failures (they run again since) and job-0's older recovery (a newer one is current).
        Assert.Equal(7, run.Deleted);
        Assert.Equal(15, Factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, Factory.Scalar($"SELECT COUNT(*) FROM records WHERE InstanceKey LIKE '%job-0' AND ReceivedAt < {t0.AddDays(10).ToUnixTimeMilliseconds()}"));
        Assert.Equal(1, Factory.Scalar("SELECT COUNT(*) FROM records WHERE InstanceKey LIKE '%job-0'"));
        // Kept, though older than MaxAge: every instance's current record, job-8's ticked failure, the crash loop's evidence.
        Assert.Equal(0, Factory.Scalar("SELECT COUNT(*) FROM instance_states s WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.Id = s.LastRecordId)"));
        Assert.Equal(1, Factory.Scalar($"SELECT COUNT(*) FROM records WHERE Id = {job8First}"));
        Assert.Equal(3, Factory.Scalar($"SELECT COUNT(*) FROM records WHERE Id IN ({string.Join(',', loopExits)})"));
        Assert.Equal(14, run.Kept); // 5 recoveries (job-1..5), failures of job-6, 7, 9 and both of job-8, the loop and its 3 exits
        Assert.Equal(11, Factory.Scalar("SELECT COUNT(*) FROM instance_states"));
        Assert.Equal(5, Factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE IsFailing"));
        Assert.Equal(1, Factory.Scalar("SELECT COUNT(*) FROM runbook_steps"));
        RecordCounterTests.AssertCountersMatch(Factory);
        lock (removed) Assert.Equal(Enumerable.Range(0, 6).Select(i => $"job-{i}"), removed.Select(k => k[(k.LastIndexOf('/') + 1)..]).Order());

        var failing = await (await api.GetAsync("/api/v1/instances/failing")).ReadJsonAsync();
        Assert.Equal(5, failing.GetProperty("total").GetInt32());
        Assert.Equal(0, (await Job.RunAsync(CancellationToken.None)).Deleted); // nothing more is due
    }

    [Fact]
    public async Task Metrics_report_stored_records_their_oldest_age_bytes_on_disk_and_deletions()
    {
        var api = Factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", Exits(Enumerable.Range(0, 4), exitCode: 1));
        await api.PostOkAsync("/api/v1/container-exits", Exits(Enumerable.Range(0, 3), exitCode: 0));
        Clock.Advance(TimeSpan.FromDays(91));
        await api.PostOkAsync("/api/v1/container-exits", Exits([9], exitCode: 0));
        Assert.Equal(3, (await Job.RunAsync(CancellationToken.None)).Deleted); // job-0..2's failures; job-3 still fails

        var text = await Factory.CreateClient().GetStringAsync("/metrics");
        var metrics = Metrics(text);
        Assert.Equal(5, metrics["opsconsole_records_stored"]);
        Assert.Equal(3, metrics["opsconsole_retention_deleted_records_total"]);
        Assert.Equal(TimeSpan.FromDays(91).TotalSeconds, metrics["opsconsole_oldest_record_age_seconds"]);
        var onDisk = new FileInfo(Factory.DatabasePath).Length + (File.Exists(Factory.DatabasePath + "-wal") ? new FileInfo(Factory.DatabasePath + "-wal").Length : 0);
        Assert.InRange(metrics["opsconsole_database_bytes"], 4096, onDisk + 1_048_576);
        Assert.Contains("opsconsole_records_ingested_total{", text, StringComparison.Ordinal); // the process-wide metrics are still there
    }

    [Fact]
    public async Task Metrics_still_answer_when_the_store_cannot_be_read()
    {
        using var broken = new OpsConsoleFactory();
        _ = broken.CreateClient();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(broken.Directory)) File.WriteAllText(file, "this is not sqlite");

        var response = await broken.CreateClient().GetAsync("/metrics");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("opsconsole_records_stored", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_new_file_is_created_for_incremental_vacuum()
    {
        _ = Factory.CreateClient();
        Assert.Equal(2, Factory.Scalar("PRAGMA auto_vacuum"));
    }

    [Fact]
    public async Task The_sources_page_shows_the_database_size_and_the_retention_setting()
    {
        await Factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", Exits(Enumerable.Range(0, 3), exitCode: 1));
        var page = await (await Factory.SignedInClientAsync("Viewer")).GetStringAsync("/sources");
        Assert.Matches(@"class=""database-size"">\d+(\.\d)? (KB|MB)<", page);
        Assert.Contains(@"class=""records-stored"">3<", page);
        Assert.Contains(@"class=""retention-setting"">90 days<", page);
    }

    [Fact]
    public void Bad_retention_settings_stop_start_up()
    {
        using var bad = new OpsConsoleFactory(new() { ["Retention:MaxAge"] = "00:00:05" });
        var error = Assert.ThrowsAny<Exception>(() => bad.CreateClient());
        Assert.Contains("MaxAge", error.ToString(), StringComparison.Ordinal);
    }

    private string Text(string sql)
    {
        using var connection = Factory.OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string)command.ExecuteScalar()!;
    }

    /// <summary>Each un-labelled sample of the exposition text, by metric name.</summary>
    private static Dictionary<string, double> Metrics(string text) => text.Split('\n')
        .Where(line => line.Length > 0 && line[0] != '#' && !line.Contains('{', StringComparison.Ordinal))
        .Select(line => line.Split(' '))
        .ToDictionary(parts => parts[0], parts => double.Parse(parts[1], CultureInfo.InvariantCulture));

    private string Exits(IEnumerable<int> jobs, int exitCode) => Exits(jobs, exitCode, Clock.Now);

    /// <summary>One simple-shape exit per job at <paramref name="at"/>; <paramref name="tag"/> goes into the message.</summary>
    internal static string Exits(IEnumerable<int> jobs, int exitCode, DateTimeOffset at, string tag = "") => JsonSerializer.Serialize(jobs.Select(i => new
    {
        source = "ci", instance = $"job-{i}", exitCode, reason = exitCode == 0 ? "Completed" : "Error",
        message = $"{tag} exit {exitCode} at {at:O}", finishedAt = at,
    }));

    private static string DockerDie(string name, DateTimeOffset at) => JsonSerializer.Serialize(new
    {
        Type = "container", Action = "die", scope = "local", time = at.ToUnixTimeSeconds(), timeNano = at.ToUnixTimeMilliseconds() * 1_000_000,
        Actor = new { ID = "f1a2" + name, Attributes = new Dictionary<string, string> { ["exitCode"] = "1", ["name"] = name } },
    });
}
