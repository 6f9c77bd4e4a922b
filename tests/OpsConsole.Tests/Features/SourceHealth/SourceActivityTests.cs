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
        var activity = new SourceActivity(committed, _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>(), Store,
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

    [Fact]
    public async Task Senders_are_saved_one_row_each_and_a_restart_lists_them_from_those_rows()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var databases = _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        var feed = new InProcessCommitFeed(NullLogger<InProcessCommitFeed>.Instance);
        using var committed = new CommittedRecords(feed, databases, NullLogger<CommittedRecords>.Instance);
        SourceActivity Activity() => new(committed, databases, Store,
            new StaticOptions(new SourcesOptions { SilentAfter = TimeSpan.FromMinutes(15) }), clock);

        var before = Activity();
        await before.StartAsync(CancellationToken.None);
        feed.Publish(new CommitNotice(CommitKinds.Records, 1, 2, null)
        {
            Records = [Record("docker/saved-host/web", clock.Now.AddSeconds(-5)), Record("docker/saved-host/db", clock.Now)],
        });
        await before.StopAsync(CancellationToken.None);
        await using (var db = await databases.CreateDbContextAsync())
        {
            var saved = Assert.Single(await db.SourceOrigins.Where(o => o.Origin == "saved-host").ToListAsync());
            Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), saved.LastSeenAt.ToUnixTimeMilliseconds());
            // A sender known only by its row (no instance state, nothing in the last hour): start-up must still list it.
            db.SourceOrigins.Add(new SourceOrigin { Source = "docker", Origin = "row-only-host", Kind = "container", LastSeenAt = clock.Now.AddDays(-3) });
            await db.SaveChangesAsync();
        }

        var after = Activity();
        await after.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 200 && !after.Summaries().Any(s => s.Origin == "row-only-host"); i++) await Task.Delay(25);
            var rowOnly = after.Summaries().Single(s => s.Origin == "row-only-host");
            Assert.True(rowOnly.IsSilent);
            Assert.Equal(0, rowOnly.LastHour);
            Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), after.Summaries().Single(s => s.Origin == "saved-host").LastSeenAt.ToUnixTimeMilliseconds());
        }
        finally
        {
            await after.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_restart_counts_the_last_hour_from_the_saved_rows_without_reading_records()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var databases = _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        var feed = new InProcessCommitFeed(NullLogger<InProcessCommitFeed>.Instance);
        using var committed = new CommittedRecords(feed, databases, NullLogger<CommittedRecords>.Instance);
        SourceActivity Activity() => new(committed, databases, Store, new StaticOptions(new SourcesOptions { SilentAfter = TimeSpan.FromMinutes(15) }), clock);

        // Published only, never stored: whatever the restarted activity counts can only come from the saved rows. (The
        // origin sorts after the silent "quiet-host" the test above expects first on this shared database.)
        var before = Activity();
        await before.StartAsync(CancellationToken.None);
        feed.Publish(new CommitNotice(CommitKinds.Records, 1, 5, null)
        {
            Records =
            [
                Record("docker/tally-host/a", clock.Now.AddMinutes(-10)), Record("docker/tally-host/b", clock.Now.AddMinutes(-10)),
                Record("docker/tally-host/c", clock.Now.AddMinutes(-10)), Record("docker/tally-host/a", clock.Now), Record("docker/tally-host/b", clock.Now),
            ],
        });
        await before.StopAsync(CancellationToken.None);
        await using (var db = await databases.CreateDbContextAsync())
            Assert.Equal(0, await db.Records.CountAsync(r => r.InstanceKey.StartsWith("docker/tally-host/")));

        var after = Activity();
        await after.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 0; i < 200 && !after.Summaries().Any(s => s.Origin == "tally-host"); i++) await Task.Delay(25);
            Assert.Equal(5, after.Summaries().Single(s => s.Origin == "tally-host").LastHour);
            // A record arriving after the restart adds to the saved minutes.
            feed.Publish(new CommitNotice(CommitKinds.Records, 6, 6, null) { Records = [Record("docker/tally-host/c", clock.Now)] });
            Assert.Equal(6, after.Summaries().Single(s => s.Origin == "tally-host").LastHour);
            // The saved minutes leave the hour like counted ones: 55 minutes on, only the newest minute is left.
            clock.Advance(TimeSpan.FromMinutes(55));
            Assert.Equal(3, after.Summaries().Single(s => s.Origin == "tally-host").LastHour);
        }
        finally
        {
            await after.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public void Saved_minutes_from_two_nodes_keep_the_larger_count_of_each_minute_within_the_hour()
    {
        var merged = MinuteCounts.Larger(stored: "100:3,101:7,102:1", seen: "101:5,102:4,103:2", after: 100);

        Assert.Equal("101:7,102:4,103:2", merged);
        Assert.Equal([KeyValuePair.Create(101L, 7), KeyValuePair.Create(103L, 2)], MinuteCounts.Read("101:7,x:1,102:-4,103:2"));
        Assert.Null(MinuteCounts.Larger(null, "99:4", after: 100));
    }

    [Fact]
    public async Task Stopping_after_the_host_disposed_its_services_gives_up_the_last_save_without_failing_the_stop()
    {
        // WebApplicationFactory can stop a minimal-hosting app twice at once; one stop disposes the services while the
        // other still runs this service's StopAsync (a CI run failed on exactly that).
        var services = new ServiceCollection().AddLogging()
            .AddDbContextFactory<OpsDbContext>(o => o.UseSqlite("Data Source=:memory:"))
            .AddSingleton(_ => Npgsql.NpgsqlDataSource.Create("Host=127.0.0.1;Database=never-reached"))
            .AddSingleton<IRecordStore>(sp => new OpsConsole.Data.Postgres.PostgresRecordStore(sp.GetRequiredService<Npgsql.NpgsqlDataSource>()))
            .BuildServiceProvider();
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var feed = new InProcessCommitFeed(NullLogger<InProcessCommitFeed>.Instance);
        var databases = services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        using var committed = new CommittedRecords(feed, databases, NullLogger<CommittedRecords>.Instance);
        var activity = new SourceActivity(committed, databases, services.GetRequiredService<IRecordStore>(), new StaticOptions(new SourcesOptions()), clock);
        await activity.StartAsync(CancellationToken.None);
        feed.Publish(new CommitNotice(CommitKinds.Records, 1, 1, null) { Records = [Record("docker/late-host/web", clock.Now)] });
        await services.DisposeAsync();

        await activity.StopAsync(CancellationToken.None);

        Assert.Equal(1, activity.Summaries().Single(s => s.Origin == "late-host").LastHour);
    }

    [Fact]
    public async Task A_saved_sender_seen_again_is_saved_again_only_after_the_resave_interval()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var databases = _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>();
        var feed = new InProcessCommitFeed(NullLogger<InProcessCommitFeed>.Instance);
        using var committed = new CommittedRecords(feed, databases, NullLogger<CommittedRecords>.Instance);
        var activity = new SourceActivity(committed, databases, Store,
            new StaticOptions(new SourcesOptions { SilentAfter = TimeSpan.FromMinutes(15) }), clock);
        await activity.StartAsync(CancellationToken.None);
        var first = clock.Now;
        async Task<long> SavedAt()
        {
            await using var db = await databases.CreateDbContextAsync();
            return (await db.SourceOrigins.AsNoTracking().SingleAsync(o => o.Origin == "resaved-host")).LastSeenAt.ToUnixTimeMilliseconds();
        }
        void Seen() => feed.Publish(new CommitNotice(CommitKinds.Records, 1, 1, null) { Records = [Record("docker/resaved-host/web", clock.Now)] });
        try
        {
            Seen();
            await activity.SaveAsync(CancellationToken.None);
            Assert.Equal(first.ToUnixTimeMilliseconds(), await SavedAt());

            // Seen again within the interval: the tick leaves the row (a crash loses at most the interval of it).
            clock.Advance(SourceActivity.ResaveAfter / 2);
            Seen();
            await activity.SaveAsync(CancellationToken.None);
            Assert.Equal(first.ToUnixTimeMilliseconds(), await SavedAt());

            // Once the interval has passed since the save, the newest sighting is saved.
            clock.Advance(SourceActivity.ResaveAfter / 2);
            await activity.SaveAsync(CancellationToken.None);
            Assert.Equal((first + SourceActivity.ResaveAfter / 2).ToUnixTimeMilliseconds(), await SavedAt());

            // Shutdown saves whatever is newer, due or not.
            clock.Advance(TimeSpan.FromSeconds(1));
            Seen();
        }
        finally
        {
            await activity.StopAsync(CancellationToken.None);
        }
        Assert.Equal(clock.Now.ToUnixTimeMilliseconds(), await SavedAt());
    }

    private IRecordStore Store => _factory.Services.GetRequiredService<IRecordStore>();

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
