using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Records;
using OpsConsole.Features.SourceHealth;

namespace OpsConsole.Tests.Features.Sources;

/// <summary>Per-sender activity for the Sources page: counts in the last hour, last seen, silence.</summary>
public sealed class SourceActivityTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public SourceActivityTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Ingested_records_count_per_origin_and_the_page_lists_them()
    {
        await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits?cluster=counted", Samples.Read("k8s/pod-crashloop-exit1-error.json"));

        var summaries = _factory.Services.GetRequiredService<SourceActivity>().Summaries();
        var counted = summaries.Single(s => s.Source == "kubernetes" && s.Origin == "counted");
        Assert.Equal(2, counted.LastHour);
        Assert.False(counted.IsSilent);
        var html = await (await _factory.SignedInClientAsync("Viewer")).GetStringAsync("/sources");
        Assert.Contains("data-origin=\"counted\"", html);
    }

    [Fact]
    public async Task A_sender_that_stops_turns_silent_and_old_records_leave_the_hour()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var feed = new InProcessCommitFeed(NullLogger<InProcessCommitFeed>.Instance);
        using var committed = new CommittedRecords(feed, _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>(), NullLogger<CommittedRecords>.Instance);
        var activity = new SourceActivity(committed, _factory.Services.GetRequiredService<IRecordStore>(),
            new StaticOptions(new SourcesOptions { SilentAfter = TimeSpan.FromMinutes(15) }), clock);
        await activity.StartAsync(CancellationToken.None);
        try
        {
            feed.Publish(new CommitNotice(CommitKinds.Records, 1, 2, null) { Records = [Record("docker/quiet-host/web", clock.Now), Record("docker/quiet-host/db", clock.Now)] });
            Assert.Equal(2, activity.Summaries().Single(s => s.Origin == "quiet-host").LastHour);

            clock.Advance(TimeSpan.FromMinutes(20));
            var quiet = activity.Summaries().Single(s => s.Origin == "quiet-host");
            Assert.True(quiet.IsSilent);
            Assert.Equal(2, quiet.LastHour);
            Assert.Equal(quiet, activity.Summaries()[0]); // silent senders come first

            clock.Advance(TimeSpan.FromMinutes(45));
            Assert.Equal(0, activity.Summaries().Single(s => s.Origin == "quiet-host").LastHour);
        }
        finally
        {
            await activity.StopAsync(CancellationToken.None);
        }
    }

    private static EventRecord Record(string key, DateTimeOffset at) => new()
    {
        Kind = "container", Source = "docker", Format = "docker-event", Entry = "die", InstanceKey = key, InstanceName = key,
        OccurredAt = at, ReceivedAt = at, LastSeenAt = at, DedupeKey = Guid.NewGuid().ToString(), RawJson = "{}",
    };

    private sealed class StaticOptions(SourcesOptions value) : IOptionsMonitor<SourcesOptions>
    {
        public SourcesOptions CurrentValue => value;
        public SourcesOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<SourcesOptions, string?> listener) => null;
    }
}
