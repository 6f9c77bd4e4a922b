using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>Through the API: the failing list shows an instance's worst active condition and says which record set it.</summary>
public sealed class InstanceStateTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public InstanceStateTests(OpsConsoleFactory factory) => _factory = factory;

    /// <summary>Posts one simple container record (<paramref name="fields"/> is its JSON members) at 12:<paramref name="minute"/>.</summary>
    private async Task<long> PostAsync(string instance, string fields, int minute)
    {
        var at = new DateTimeOffset(2026, 11, 23, 12, minute, 0, TimeSpan.Zero).ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits",
            $$"""{"source": "batch", "instance": "{{instance}}", {{fields}}, "finishedAt": "{{at}}"}""");
        return result.GetProperty("records")[0].GetProperty("id").GetInt64();
    }

    private async Task<System.Text.Json.JsonElement?> FailingRowAsync(string instance)
    {
        var page = await (await _factory.CreateApiClient().GetAsync($"/api/v1/instances/failing?search={instance}")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Cast<System.Text.Json.JsonElement?>().FirstOrDefault();
    }

    private const string OomKilled = "\"exitCode\": 137, \"reason\": \"OOMKilled\"";
    private const string ProbeFailed = "\"reason\": \"Unhealthy\", \"message\": \"Liveness probe failed\"";

    [Fact]
    public async Task A_newer_probe_failure_does_not_hide_an_active_oom_kill_and_a_clean_exit_clears_it()
    {
        var oom = await PostAsync("state-probe-1", OomKilled, 0);
        await PostAsync("state-probe-1", ProbeFailed, 5);

        var row = await FailingRowAsync("state-probe-1");
        Assert.Equal("exit.oom-killed", row?.GetProperty("category").GetString());
        Assert.Equal(oom, row?.GetProperty("lastRecordId").GetInt64());

        await PostAsync("state-probe-1", "\"exitCode\": 0", 10);
        Assert.Null(await FailingRowAsync("state-probe-1"));
    }

    [Fact]
    public async Task Rebuilding_the_states_applies_the_same_rule()
    {
        var oom = await PostAsync("state-probe-2", OomKilled, 0);
        await PostAsync("state-probe-2", ProbeFailed, 5);

        await _factory.Services.GetRequiredService<OpsConsole.Features.Ingestion.IRecordStore>().RebuildInstanceStatesAsync(CancellationToken.None);

        var row = await FailingRowAsync("state-probe-2");
        Assert.Equal("exit.oom-killed", row?.GetProperty("category").GetString());
        Assert.Equal(oom, row?.GetProperty("lastRecordId").GetInt64());
    }
}
