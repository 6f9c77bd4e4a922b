using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data.Notices;

/// <summary>The store's commit notices on one node (SQLite): what a write announces, and how other nodes' records are read back.</summary>
public sealed class CommitNoticeTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public CommitNoticeTests(OpsConsoleFactory factory) => _factory = factory;

    private Task IngestAsync(string file, string query) =>
        _factory.CreateApiClient().PostOkAsync($"/api/v1/{Samples.Labels[file].Endpoint}{query}", Samples.Read(file), Samples.Labels[file].ContentType);

    [Fact]
    public async Task A_write_announces_its_new_ids_and_instances_once_and_a_repeat_announces_nothing()
    {
        var heard = new List<CommitNotice>();
        using var subscription = _factory.Services.GetRequiredService<ICommitFeed>().Subscribe(n =>
        {
            if (n.Kinds == CommitKinds.Records && n.InstanceKeys?.Any(k => k.StartsWith("docker/notice-host/", StringComparison.Ordinal)) == true)
                lock (heard) heard.Add(n);
        });

        await IngestAsync("docker/event-die-exit1-app-error-api152.json", "?host=notice-host");
        await IngestAsync("docker/event-die-exit1-app-error-api152.json", "?host=notice-host");

        var notice = Assert.Single(heard);
        Assert.True(notice.From > 0 && notice.From <= notice.HighWater);
        Assert.All(notice.Records!, r => Assert.InRange(r.Id, notice.From, notice.HighWater));
        // On the wire a notice is ids and keys only: far below PostgreSQL's 8 kB NOTIFY limit, and no record contents.
        var json = JsonSerializer.Serialize(notice);
        Assert.DoesNotContain("RawJson", json);
        Assert.True(json.Length < 1_000, json);
    }

    [Fact]
    public void Too_many_instances_to_list_make_a_notice_about_any_instance()
    {
        var few = CommitNotice.Of(CommitKinds.Acknowledgement, ["docker/a/x", "docker/a/x", "docker/b/y"]);
        Assert.Equal(["docker/a/x", "docker/b/y"], few.InstanceKeys);
        Assert.False(few.Touches("docker/c/z"));

        var many = CommitNotice.Of(CommitKinds.Classification, Enumerable.Range(0, 1_000).Select(i => $"k8s/prod/shop/pod-{i}/app"));
        Assert.Null(many.InstanceKeys);
        Assert.True(many.Touches("docker/c/z"));
        Assert.True(JsonSerializer.Serialize(many).Length < 8_000);
    }

    [Fact]
    public async Task Records_another_node_announced_are_read_back_by_their_id_range()
    {
        await IngestAsync("k8s/pod-crashloop-exit1-error.json", "?cluster=other-node");
        List<EventRecord> stored;
        await using (var db = await _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync())
            stored = await db.Records.AsNoTracking().Where(r => r.InstanceKey.StartsWith("k8s/other-node/")).OrderBy(r => r.Id).ToListAsync();
        var feed = new InProcessCommitFeed(NullLogger<InProcessCommitFeed>.Instance);
        using var committed = new CommittedRecords(feed, _factory.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>(), NullLogger<CommittedRecords>.Instance);
        var received = new List<EventRecord>();
        using var subscription = committed.Subscribe(received.AddRange);
        await committed.StartAsync(CancellationToken.None);
        try
        {
            // As it arrives from another node: ids and keys, no records attached.
            feed.Publish(CommitNotice.Of(CommitKinds.Records, stored.Select(r => r.InstanceKey), stored[0].Id, stored[^1].Id));
            await committed.WhenIdleAsync(CancellationToken.None);

            Assert.Equal(stored.Select(r => r.Id), received.Select(r => r.Id));
            Assert.Equal(stored.Select(r => r.Category), received.Select(r => r.Category));
        }
        finally
        {
            await committed.StopAsync(CancellationToken.None);
        }
    }
}
