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
}
