using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Classification.Patterns;

namespace OpsConsole.Tests.Sources.Aos;

/// <summary>The Aos burst of failed starts and the instance stuck activating, through the pattern detectors.</summary>
public sealed class AosPatternTests : ClockedConsole
{
    [Fact]
    public async Task The_aos_burst_of_three_failed_starts_within_five_seconds_is_a_crash_loop()
    {
        var api = Factory.CreateApiClient();
        for (var i = 0; i < 3; i++)
            await api.PostOkAsync("/api/v1/unit-status", AosInstance("failed", Clock.Now.AddSeconds(i * 2), """{"aosCode":1,"exitCode":1,"message":"instance failed"}"""));
        var loop = Assert.Single(await Patterns("restart.crash-loop"));
        Assert.Contains("3 failed starts within 5 s", loop.GetProperty("evidence").GetString());
    }

    [Fact]
    public async Task A_restarted_detector_remembers_the_failed_starts_received_before_it()
    {
        var api = Factory.CreateApiClient();
        for (var i = 0; i < 2; i++)
            await api.PostOkAsync("/api/v1/unit-status", AosInstance("failed", Clock.Now.AddSeconds(i * 2), """{"aosCode":1,"exitCode":1,"message":"instance failed"}"""));
        Assert.Empty(await Patterns("restart.crash-loop"));

        // A new detector (as after a restart) primes itself from the store, as the Aos profile says a failed start looks.
        var databases = Factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        var detector = new CrashLoopDetector(databases, Factory.Services.GetRequiredService<IOptionsMonitor<ClassificationOptions>>(), Clock);
        await using var db = await databases.CreateDbContextAsync();
        var stored = await db.Records.AsNoTracking().OrderBy(r => r.Id).ToListAsync();
        Assert.Equal(2, stored.Count);
        var third = stored[^1];
        third.Id += 100;
        third.OccurredAt = third.OccurredAt.AddSeconds(1);
        var loop = Assert.Single(await detector.DetectAsync([third], "test", CancellationToken.None));
        Assert.Contains("3 failed starts within 5 s", loop.Evidence);
    }

    [Fact]
    public async Task An_aos_instance_activating_with_nothing_newer_is_stalled_after_the_threshold()
    {
        var api = Factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/unit-status", AosInstance("activating", Clock.Now, null));

        Clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Empty(await Detector.RunOnceAsync(CancellationToken.None));

        Clock.Advance(TimeSpan.FromMinutes(2));
        var stalled = Assert.Single(await Detector.RunOnceAsync(CancellationToken.None));
        Assert.Equal("deploy.stalled", stalled.Category);
        Assert.Empty(await Detector.RunOnceAsync(CancellationToken.None)); // once per silence

        var failing = await (await api.GetAsync("/api/v1/instances/failing?category=deploy.stalled")).ReadJsonAsync();
        Assert.Equal(1, failing.GetProperty("total").GetInt32());
    }

    private static string AosInstance(string state, DateTimeOffset at, string? errorInfo)
    {
        var error = errorInfo is null ? "" : $",\"errorInfo\":{errorInfo}";
        return $$$"""
            {"header":{"version":7,"systemId":"unit-1","createdAt":"{{{at:O}}}"},"data":{"messageType":"unitStatus","isDeltaInfo":true,
             "instances":[{"item":{"id":"svc-1","type":"service"},"subject":{"id":"sub-1"},"version":"1.0",
              "instances":[{"node":{"codename":"main"},"instance":0,"state":"{{{state}}}"{{{error}}}}]}]}}
            """;
    }
}
