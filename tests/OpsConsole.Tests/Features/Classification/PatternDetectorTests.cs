using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification.Patterns;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>Patterns no single record shows, driven by a clock the test moves.</summary>
public sealed class PatternDetectorTests : IDisposable
{
    private readonly ManualClock _clock = new(DateTimeOffset.Parse("2026-03-02T10:00:00Z"));
    private readonly ClockedFactory _factory;

    public PatternDetectorTests() => _factory = new ClockedFactory(_clock);

    [Fact]
    public async Task Repeated_exits_of_one_container_become_a_crash_loop_linked_to_them()
    {
        var api = _factory.CreateApiClient();
        var ids = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            var die = DockerDie(exitCode: 1, at: _clock.Now.AddMinutes(i * 2));
            var result = await api.PostOkAsync("/api/v1/container-exits", die);
            ids.Add(result.GetProperty("records")[0].GetProperty("id").GetInt64());
            Assert.Equal("exit.app-error", result.GetProperty("records")[0].GetProperty("category").GetString());
        }

        var loop = Assert.Single(await Patterns("restart.crash-loop"));
        Assert.Equal("docker/local/flaky", loop.GetProperty("instance").GetString());
        Assert.Equal(string.Join(',', ids), loop.GetProperty("derivedFrom").GetString());
        Assert.Equal("pattern-crash-loop", loop.GetProperty("ruleId").GetString());

        await api.PostOkAsync("/api/v1/container-exits", DockerDie(exitCode: 1, at: _clock.Now.AddMinutes(5)));
        Assert.Single(await Patterns("restart.crash-loop")); // the loop is already on the timeline
    }

    [Fact]
    public async Task Graceful_stops_and_exits_spread_over_time_are_not_a_crash_loop()
    {
        var api = _factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(143, _clock.Now));
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(143, _clock.Now.AddMinutes(1)));
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(1, _clock.Now.AddMinutes(2)));
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(1, _clock.Now.AddMinutes(30)));
        await api.PostOkAsync("/api/v1/container-exits", DockerDie(1, _clock.Now.AddMinutes(60)));
        Assert.Empty(await Patterns("restart.crash-loop"));
    }

    [Fact]
    public async Task The_aos_burst_of_three_failed_starts_within_five_seconds_is_a_crash_loop()
    {
        var api = _factory.CreateApiClient();
        for (var i = 0; i < 3; i++)
            await api.PostOkAsync("/api/v1/unit-status", AosInstance("failed", _clock.Now.AddSeconds(i * 2), """{"aosCode":1,"exitCode":1,"message":"instance failed"}"""));
        var loop = Assert.Single(await Patterns("restart.crash-loop"));
        Assert.Contains("3 failed starts within 5 s", loop.GetProperty("evidence").GetString());
    }

    [Fact]
    public async Task An_aos_instance_activating_with_nothing_newer_is_stalled_after_the_threshold()
    {
        var api = _factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/unit-status", AosInstance("activating", _clock.Now, null));

        _clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(await Detector.RunOnceAsync(CancellationToken.None));

        _clock.Advance(TimeSpan.FromMinutes(2));
        var stalled = Assert.Single(await Detector.RunOnceAsync(CancellationToken.None));
        Assert.Equal("deploy.stalled", stalled.Category);
        Assert.Empty(await Detector.RunOnceAsync(CancellationToken.None)); // once per silence

        var failing = await (await api.GetAsync("/api/v1/instances/failing?category=deploy.stalled")).ReadJsonAsync();
        Assert.Equal(1, failing.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_maas_node_silent_after_pxe_and_the_ephemeral_image_cannot_reach_the_controller()
    {
        var api = _factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/vm-events", MaasEvents("n1", ("Commissioning", 0), ("Performing PXE boot", 1), ("TFTP Request", 2), ("Loading ephemeral", 3)));

        _clock.Advance(TimeSpan.FromMinutes(29));
        Assert.Empty(await Detector.RunOnceAsync(CancellationToken.None));
        _clock.Advance(TimeSpan.FromMinutes(2));
        var silent = Assert.Single(await Detector.RunOnceAsync(CancellationToken.None));
        Assert.Equal("node.commission.controller-unreachable", silent.Category);
        Assert.Equal("maas/default/n1", silent.InstanceKey);
        Assert.Equal(4, silent.DerivedFrom!.Split(',').Length); // the three boot steps and the last record
    }

    [Fact]
    public async Task A_maas_node_that_reported_back_and_then_went_quiet_is_a_commissioning_timeout()
    {
        var api = _factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/vm-events", MaasEvents("n2", ("Commissioning", 0), ("Performing PXE boot", 1), ("Loading ephemeral", 2), ("Gathering information", 3)));
        _clock.Advance(TimeSpan.FromMinutes(31));
        Assert.Equal("node.commission.timeout", Assert.Single(await Detector.RunOnceAsync(CancellationToken.None)).Category);
    }

    [Fact]
    public async Task A_nova_server_still_building_is_stalled_after_the_threshold()
    {
        var api = _factory.CreateApiClient();
        var server = JsonNode.Parse(Samples.Read("nova/server-fault-no-valid-host.json"))!;
        server["server"]!["status"] = "BUILD";
        server["server"]!.AsObject().Remove("fault");
        var posted = await api.PostOkAsync("/api/v1/vm-events", server.ToJsonString());
        Assert.Equal("none", posted.GetProperty("records")[0].GetProperty("category").GetString());

        _clock.Advance(TimeSpan.FromMinutes(21));
        Assert.Equal("vm.stalled", Assert.Single(await Detector.RunOnceAsync(CancellationToken.None)).Category);
    }

    private SilenceDetector Detector => _factory.Services.GetRequiredService<SilenceDetector>();

    private async Task<List<JsonElement>> Patterns(string category)
    {
        await _factory.Services.GetRequiredService<CrashLoopWatcher>().WhenIdleAsync(CancellationToken.None);
        var page = await (await _factory.CreateApiClient().GetAsync($"/api/v1/records?category={category}")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Where(r => r.GetProperty("format").GetString() == "derived").ToList();
    }

    private static string DockerDie(int exitCode, DateTimeOffset at) => JsonSerializer.Serialize(new
    {
        Type = "container", Action = "die", scope = "local", time = at.ToUnixTimeSeconds(), timeNano = at.ToUnixTimeMilliseconds() * 1_000_000,
        Actor = new { ID = "f1a2", Attributes = new Dictionary<string, string> { ["exitCode"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), ["name"] = "flaky" } },
    });

    private static string AosInstance(string state, DateTimeOffset at, string? errorInfo)
    {
        var error = errorInfo is null ? "" : $",\"errorInfo\":{errorInfo}";
        return $$$"""
            {"header":{"version":7,"systemId":"unit-1","createdAt":"{{{at:O}}}"},"data":{"messageType":"unitStatus","isDeltaInfo":true,
             "instances":[{"item":{"id":"svc-1","type":"service"},"subject":{"id":"sub-1"},"version":"1.0",
              "instances":[{"node":{"codename":"main"},"instance":0,"state":"{{{state}}}"{{{error}}}}]}]}}
            """;
    }

    private string MaasEvents(string node, params (string Type, int Minute)[] events) => JsonSerializer.Serialize(new
    {
        count = events.Length,
        events = events.Select((e, i) => new
        {
            node, hostname = $"host-{node}", id = 1000 + i, level = "INFO", type = e.Type, description = "",
            created = _clock.Now.AddMinutes(e.Minute).ToString("ddd, d MMM. yyyy HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
        }),
    });

    public void Dispose() => _factory.Dispose();

    private sealed class ClockedFactory(ManualClock clock) : OpsConsoleFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }
}
