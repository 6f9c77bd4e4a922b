namespace OpsConsole.Features.Records;

/// <summary>
/// Tells in-process listeners (open pages, detectors) which records were just committed, and which instances lost
/// records (retention). Behind an interface so a multi-node deployment can swap in a broker without touching the listeners.
/// </summary>
public interface IRecordChangeFeed
{
    void Publish(IReadOnlyList<EventRecord> records);

    IDisposable Subscribe(Action<IReadOnlyList<EventRecord>> listener);

    /// <summary>Records of these instances were deleted: what shows them should read again. Not new records, so a separate channel.</summary>
    void PublishRemoved(IReadOnlySet<string> instanceKeys);

    IDisposable SubscribeRemoved(Action<IReadOnlySet<string>> listener);
}

public sealed class InProcessRecordChangeFeed(ILogger<InProcessRecordChangeFeed> logger) : IRecordChangeFeed
{
    private readonly Listeners<IReadOnlyList<EventRecord>> _added = new(logger);
    private readonly Listeners<IReadOnlySet<string>> _removed = new(logger);

    public void Publish(IReadOnlyList<EventRecord> records) => _added.Publish(records);

    public IDisposable Subscribe(Action<IReadOnlyList<EventRecord>> listener) => _added.Subscribe(listener);

    public void PublishRemoved(IReadOnlySet<string> instanceKeys) => _removed.Publish(instanceKeys);

    public IDisposable SubscribeRemoved(Action<IReadOnlySet<string>> listener) => _removed.Subscribe(listener);

    private sealed class Listeners<T>(ILogger logger)
    {
        private readonly Lock _gate = new();
        private Action<T>[] _listeners = [];

        public void Publish(T change)
        {
            foreach (var listener in Volatile.Read(ref _listeners))
            {
                try
                {
                    listener(change);
                }
                catch (Exception ex)
                {
                    // One broken listener (a closed circuit) must not fail the request or job that published.
                    logger.LogWarning(ex, "A record-change listener failed");
                }
            }
        }

        public IDisposable Subscribe(Action<T> listener)
        {
            lock (_gate) _listeners = [.. _listeners, listener];
            return new Subscription(() =>
            {
                lock (_gate) _listeners = [.. _listeners.Where(l => l != listener)];
            });
        }
    }

    private sealed class Subscription(Action unsubscribe) : IDisposable
    {
        public void Dispose() => unsubscribe();
    }
}
