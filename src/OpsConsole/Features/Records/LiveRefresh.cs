using OpsConsole.Data.Notices;

namespace OpsConsole.Features.Records;

/// <summary>
/// Lets an open page follow the store's commit notices (new records, reclassification, acknowledgements, silences,
/// deletes; from any node): when a notice matters to it, the page refreshes once after a short delay, however many
/// arrived meanwhile. One subscription per open page; the query runs only for pages a change touches, at most a few
/// times a second.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    private readonly Func<CommitNotice, bool> _matters;
    private readonly Func<Task> _refresh;
    private readonly TimeSpan _delay;
    private readonly IDisposable _subscription;
    private int _scheduled;
    private volatile bool _disposed;

    public LiveRefresh(ICommitFeed feed, Func<CommitNotice, bool> matters, Func<Task> refresh, TimeSpan? delay = null)
    {
        _matters = matters;
        _refresh = refresh;
        _delay = delay ?? TimeSpan.FromMilliseconds(400);
        _subscription = feed.Subscribe(OnNotice);
    }

    private void OnNotice(CommitNotice notice)
    {
        if (_disposed || !_matters(notice)) return;
        if (Interlocked.Exchange(ref _scheduled, 1) == 1) return;
        _ = RefreshSoonAsync();
    }

    private async Task RefreshSoonAsync()
    {
        await Task.Delay(_delay);
        Volatile.Write(ref _scheduled, 0);
        if (_disposed) return;
        try
        {
            await _refresh();
        }
        catch (ObjectDisposedException)
        {
            // The page closed while the refresh was queued.
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _subscription.Dispose();
    }
}
