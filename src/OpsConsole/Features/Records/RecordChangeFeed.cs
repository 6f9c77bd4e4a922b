namespace OpsConsole.Features.Records;

/// <summary>
/// Tells in-process listeners (open pages, detectors) which records were just committed. Behind an
/// interface so a multi-node deployment can swap in a broker without touching the listeners.
/// </summary>
public interface IRecordChangeFeed
{
    void Publish(IReadOnlyList<EventRecord> records);

    IDisposable Subscribe(Action<IReadOnlyList<EventRecord>> listener);
}

public sealed class InProcessRecordChangeFeed(ILogger<InProcessRecordChangeFeed> logger) : IRecordChangeFeed
{
    private readonly Lock _gate = new();
    private Action<IReadOnlyList<EventRecord>>[] _listeners = [];

    public void Publish(IReadOnlyList<EventRecord> records)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            try
            {
                listener(records);
            }
            catch (Exception ex)
            {
                // One broken listener (a closed circuit) must not fail the ingestion request that published.
                logger.LogWarning(ex, "A record-change listener failed");
            }
        }
    }

    public IDisposable Subscribe(Action<IReadOnlyList<EventRecord>> listener)
    {
        lock (_gate) _listeners = [.. _listeners, listener];
        return new Subscription(this, listener);
    }

    private void Unsubscribe(Action<IReadOnlyList<EventRecord>> listener)
    {
        lock (_gate) _listeners = [.. _listeners.Where(l => l != listener)];
    }

    private sealed class Subscription(InProcessRecordChangeFeed feed, Action<IReadOnlyList<EventRecord>> listener) : IDisposable
    {
        public void Dispose() => feed.Unsubscribe(listener);
    }
}
