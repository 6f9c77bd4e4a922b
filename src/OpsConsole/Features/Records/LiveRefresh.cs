namespace OpsConsole.Features.Records;

/// <summary>
/// Lets an open page follow the change feed: when published records matter to it, the page refreshes once
/// after a short delay, however many batches arrived meanwhile. One subscription per open page; the query
/// runs only for pages the new records touch, at most a few times a second.
/// </summary>
public sealed class LiveRefresh : IDisposable
{
    private readonly Func<IReadOnlyList<EventRecord>, bool> _matters;
    private readonly Func<Task> _refresh;
    private readonly TimeSpan _delay;
    private readonly IDisposable _subscription;
    private readonly IDisposable? _removedSubscription;
    private int _scheduled;
    private volatile bool _disposed;

    /// <summary><paramref name="removedMatters"/>: when deleted records of these instances (retention) matter to the page; null when they never do.</summary>
    public LiveRefresh(IRecordChangeFeed feed, Func<IReadOnlyList<EventRecord>, bool> matters, Func<Task> refresh, TimeSpan? delay = null,
        Func<IReadOnlySet<string>, bool>? removedMatters = null)
    {
        _matters = matters;
        _refresh = refresh;
        _delay = delay ?? TimeSpan.FromMilliseconds(400);
        _subscription = feed.Subscribe(OnRecords);
        if (removedMatters is not null)
            _removedSubscription = feed.SubscribeRemoved(keys =>
            {
                if (!_disposed && removedMatters(keys)) Schedule();
            });
    }

    private void OnRecords(IReadOnlyList<EventRecord> records)
    {
        if (_disposed || !_matters(records)) return;
        Schedule();
    }

    private void Schedule()
    {
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
        _removedSubscription?.Dispose();
    }
}
