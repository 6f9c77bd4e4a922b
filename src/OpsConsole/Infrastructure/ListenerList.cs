namespace OpsConsole.Infrastructure;

/// <summary>Listeners called in turn with each value; one that throws is logged and the others still run.</summary>
public sealed class ListenerList<T>(ILogger logger, string what)
{
    private readonly Lock _gate = new();
    private Action<T>[] _listeners = [];

    public IDisposable Add(Action<T> listener)
    {
        lock (_gate) _listeners = [.. _listeners, listener];
        return new Removal(this, listener);
    }

    public void Invoke(T value)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            try
            {
                listener(value);
            }
            catch (Exception ex)
            {
                // One broken listener (a closed circuit) must not fail the writer that announced.
                logger.LogWarning(ex, "A {What} listener failed", what);
            }
        }
    }

    private sealed class Removal(ListenerList<T> list, Action<T> listener) : IDisposable
    {
        public void Dispose()
        {
            lock (list._gate) list._listeners = [.. list._listeners.Where(l => l != listener)];
        }
    }
}
