using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Records;

/// <summary>Open pages follow deletes (retention) on their own channel: only pages that asked, only for what concerns them.</summary>
public sealed class LiveRefreshTests
{
    private readonly InProcessRecordChangeFeed _feed = new(NullLogger<InProcessRecordChangeFeed>.Instance);

    [Fact]
    public async Task A_page_refreshes_when_records_of_its_instance_are_deleted_and_not_for_others()
    {
        var refreshed = new SemaphoreSlim(0);
        using var page = new LiveRefresh(_feed, _ => false, () => { refreshed.Release(); return Task.CompletedTask; }, TimeSpan.FromMilliseconds(10),
            removedMatters: keys => keys.Contains("ci/job-1"));

        _feed.PublishRemoved(new HashSet<string> { "ci/job-2" });
        Assert.False(await refreshed.WaitAsync(TimeSpan.FromMilliseconds(200)));

        _feed.PublishRemoved(new HashSet<string> { "ci/job-1", "ci/job-2" });
        Assert.True(await refreshed.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Deletes_are_not_published_as_new_records()
    {
        var added = 0;
        using var listener = _feed.Subscribe(_ => Interlocked.Increment(ref added));
        var refreshed = 0;
        using var page = new LiveRefresh(_feed, _ => true, () => { Interlocked.Increment(ref refreshed); return Task.CompletedTask; }, TimeSpan.FromMilliseconds(10));

        _feed.PublishRemoved(new HashSet<string> { "ci/job-1" });
        await Task.Delay(200);

        Assert.Equal(0, added);
        Assert.Equal(0, refreshed); // a page that did not ask for deletes (the failing list: states are kept) is left alone
    }
}
