using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Silences;

namespace OpsConsole.Tests.Features.Silences;

/// <summary>Silences and mutes with an end: who made them and why, what they match, and that they end by themselves.</summary>
public sealed class SilenceTests : IDisposable
{
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private readonly ClockedFactory _factory;

    public SilenceTests() => _factory = new ClockedFactory(_clock);

    public void Dispose() => _factory.Dispose();

    private async Task<string> FailAsync(string host, string name)
    {
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits",
            $$"""{"source":"docker","cluster":"{{host}}","instance":"{{name}}","exitCode":137,"reason":"OOMKilled"}""");
        return result.GetProperty("records")[0].GetProperty("instance").GetString()!;
    }

    private async Task<List<string>> FailingAsync()
    {
        var page = await (await _factory.CreateApiClient().GetAsync("/api/v1/instances/failing?limit=500")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("instance").GetString()!).ToList();
    }

    private Task<int> SweepAsync() => _factory.Services.GetRequiredService<SilenceSweeper>().SweepAsync(CancellationToken.None);

    [Fact]
    public async Task A_mute_records_who_when_and_why_and_ends_by_itself_after_its_hour()
    {
        var instance = await FailAsync("mute-host", "api");
        var operatorClient = await _factory.SignedInClientAsync("Operator");

        var muted = await (await operatorClient.PutAsJsonAsync($"/api/v1/instances/{Uri.EscapeDataString(instance)}/acknowledgement",
            new { status = "muted", note = "known leak, fix deploying" })).ReadJsonAsync();
        Assert.Equal("operator@test.local", muted.GetProperty("by").GetString());
        Assert.Equal(_clock.Now.AddHours(1).ToUnixTimeSeconds(), muted.GetProperty("expiresAt").GetDateTimeOffset().ToUnixTimeSeconds());
        Assert.DoesNotContain(instance, await FailingAsync());

        _clock.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal(0, await SweepAsync());
        Assert.DoesNotContain(instance, await FailingAsync());

        _clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(1, await SweepAsync());
        Assert.Contains(instance, await FailingAsync());
        Assert.Equal(1, _factory.Scalar($"SELECT COUNT(*) FROM audit_log WHERE Action = 'silence.expire' AND Target = '{instance}' AND Actor = 'console'"));
        Assert.Equal(1, _factory.Scalar($"SELECT COUNT(*) FROM audit_log WHERE Action = 'instance.mute' AND Target = '{instance}' AND Actor = 'operator@test.local'"));
    }

    [Fact]
    public async Task A_silence_matches_many_instances_by_pattern_until_its_end()
    {
        var a = await FailAsync("edge-1", "web");
        var b = await FailAsync("edge-1", "worker");
        var other = await FailAsync("core-9", "web");
        var api = _factory.CreateApiClient();

        var created = await api.PostAsJsonAsync("/api/v1/silences",
            new { instancePattern = "docker/edge-1/*", reason = "edge-1 is being re-imaged", endsAt = _clock.Now.AddHours(2) });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var failing = await FailingAsync();
        Assert.DoesNotContain(a, failing);
        Assert.DoesNotContain(b, failing);
        Assert.Contains(other, failing);

        _clock.Advance(TimeSpan.FromHours(2) + TimeSpan.FromSeconds(1));
        Assert.Equal(1, await SweepAsync());
        Assert.Contains(a, await FailingAsync());
        var listed = await (await api.GetAsync("/api/v1/silences")).ReadJsonAsync();
        var silence = listed.EnumerateArray().Single();
        Assert.Equal("key:tests", silence.GetProperty("createdBy").GetString());
        Assert.Equal("console", silence.GetProperty("endedBy").GetString());
    }

    [Fact]
    public async Task An_until_recovered_silence_ends_when_nothing_it_matches_fails()
    {
        var instance = await FailAsync("recover-host", "db");
        var api = _factory.CreateApiClient();
        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/silences",
            new { source = "docker", instancePattern = "*recover-host*", reason = "restarting", untilRecovered = true })).StatusCode);
        Assert.Equal(0, await SweepAsync());
        Assert.DoesNotContain(instance, await FailingAsync());

        _clock.Advance(TimeSpan.FromMinutes(1));
        var recovered = await api.PostOkAsync("/api/v1/container-exits", """{"source":"docker","cluster":"recover-host","instance":"db","reason":"running"}""");
        Assert.Equal("none", recovered.GetProperty("records")[0].GetProperty("category").GetString());
        Assert.Equal(1, await SweepAsync());
        Assert.Equal(1, _factory.Scalar("SELECT COUNT(*) FROM silences WHERE EndedAt IS NOT NULL"));
    }

    [Fact]
    public async Task A_silence_needs_a_matcher_a_reason_and_an_end_and_a_viewer_cannot_make_one()
    {
        var api = _factory.CreateApiClient();
        foreach (var bad in new object[]
                 {
                     new { reason = "everything", endsAt = _clock.Now.AddHours(1) },
                     new { source = "docker", endsAt = _clock.Now.AddHours(1) },
                     new { source = "docker", reason = "forever" },
                 })
        {
            var response = await api.PostAsJsonAsync("/api/v1/silences", bad);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
        var viewer = await _factory.SignedInClientAsync("Viewer");
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsJsonAsync("/api/v1/silences",
            new { source = "docker", reason = "nope", endsAt = _clock.Now.AddHours(1) })).StatusCode);
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM silences"));
    }

    private sealed class ClockedFactory(ManualClock clock) : OpsConsoleFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }
}
