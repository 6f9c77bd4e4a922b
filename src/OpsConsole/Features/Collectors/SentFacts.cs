namespace OpsConsole.Features.Collectors;

/// <summary>
/// Facts a collector already sent, so a relist or a resumed stream does not send them again; the oldest are
/// forgotten past <paramref name="capacity"/> (the console's idempotency covers anything sent twice after that).
/// </summary>
public sealed class SentFacts(int capacity)
{
    private readonly Lock _gate = new();
    private readonly HashSet<string> _keys = [];
    private readonly Queue<string> _order = new();

    /// <summary>Remembers the keys; true when at least one was new.</summary>
    public bool AddNew(IEnumerable<string> keys)
    {
        var any = false;
        lock (_gate)
        {
            foreach (var key in keys)
            {
                if (!_keys.Add(key)) continue;
                any = true;
                _order.Enqueue(key);
                if (_order.Count > capacity) _keys.Remove(_order.Dequeue());
            }
        }
        return any;
    }
}
