namespace OpsConsole.Tests.Sources.ContainerApps;

/// <summary>Container Apps system logs through the container-exits endpoint.</summary>
public sealed class ContainerAppsSystemLogFormatTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public ContainerAppsSystemLogFormatTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Container_apps_exit_code_is_parsed_from_the_log_text()
    {
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync("/api/v1/container-exits", Samples.Read("aca/az-query-systemlogs-cl-oom-137-probe.json"));
        var records = await api.ReadRecordsAsync(result);
        var oom = Assert.Single(records, r => r.GetProperty("reason").GetString() == "OOMKilled");
        Assert.Equal(137, oom.GetProperty("exitCode").GetInt32());
        Assert.Equal("aca/ca-report-worker/ca-report-worker--r7t1x9a", oom.GetProperty("instance").GetString());
        Assert.Equal("ContainerTerminated", oom.GetProperty("entry").GetString());
        Assert.Equal("Warning", oom.GetProperty("state").GetString());
        var probe = Assert.Single(records, r => r.GetProperty("entry").GetString() == "ProbeFailed");
        Assert.Equal(12, probe.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("Container 'api' was terminated with exit code '137' and reason 'OOMKilled'", 137, "OOMKilled")]
    [InlineData("Container terminated with exit code 139 (SIGSEGV)", 139, "ContainerTerminated")]
    [InlineData("Container terminated with exit code 1", 1, "ContainerTerminated")]
    [InlineData("Container 'api' exited with code 127", 127, "ContainerTerminated")]
    [InlineData("Replica exited, exit code: 2", 2, "ContainerTerminated")]
    public async Task Every_phrasing_of_an_exit_in_a_system_log_row_gives_its_code(string log, int exitCode, string reason)
    {
        var api = _factory.CreateApiClient();
        var row = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["TimeGenerated"] = "2025-06-23T10:02:10.111Z", ["ContainerAppName_s"] = "ca-exits", ["RevisionName_s"] = "ca-exits--e1x2t3",
            ["ReplicaName_s"] = "ca-exits--e1x2t3-7b5c9d6f8-2mfkd", ["Reason_s"] = "ContainerTerminated", ["Type_s"] = "Warning",
            ["EventSource_s"] = "ContainerAppController", ["Log_s"] = log,
        });

        var record = Assert.Single(await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits", $"[{row}]")));

        Assert.Equal(exitCode, record.GetProperty("exitCode").GetInt32());
        Assert.Equal(reason, record.GetProperty("reason").GetString());
        Assert.StartsWith("exit.", record.GetProperty("category").GetString());
    }

    [Fact]
    public async Task A_query_that_projects_the_app_away_files_its_rows_under_the_app_the_revision_names()
    {
        var api = _factory.CreateApiClient();
        const string rows = """
            [{"Log_s": "Probe of StartUp failed with status code: 1", "Reason_s": "ProbeFailed", "RevisionName_s": "ca-labrev-zf6h--0000001",
              "TableName": "PrimaryResult", "TimeGenerated": "2026-06-22T16:11:29.1005232Z"}]
            """;

        var record = Assert.Single(await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits", rows)));

        Assert.Equal("aca/ca-labrev-zf6h/ca-labrev-zf6h--0000001", record.GetProperty("instance").GetString());
        Assert.Equal("container.probe-failed", record.GetProperty("category").GetString());
    }
}
