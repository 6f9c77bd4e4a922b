using System.Text.Json;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Collectors;

/// <summary>
/// Where a source collector puts what it read. Every item first goes through the console's own parser for
/// that endpoint, so what is queued is exactly what the ingestion endpoint accepts (an item it would refuse
/// is dropped here, counted and logged, instead of blocking the queue); then it is written to the file queue.
/// </summary>
public sealed class CollectorOutbox
{
    private readonly FileQueue _queue;
    private readonly CollectorStatus _status;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Action> _onDelivered = [];

    public CollectorOutbox(CollectorProfile profile, FileQueue queue, CollectorStatus status, ConsoleSender sender, ILogger logger, TimeProvider clock)
    {
        Profile = profile;
        _queue = queue;
        _status = status;
        _logger = logger;
        _clock = clock;
        sender.Delivered += Delivered;
    }

    public CollectorProfile Profile { get; }

    /// <summary>
    /// Parses the items as the console will (one JSON value each); the records they state, or null when the
    /// console would refuse them. <paramref name="origin"/> is the value of the profile's query (cluster, host…).
    /// </summary>
    public IReadOnlyList<EventRecord>? Parse(IReadOnlyList<string> items, string origin)
    {
        try
        {
            var nodes = new List<PayloadNode>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                using var document = JsonDocument.Parse(items[i]);
                nodes.Add(new PayloadNode(document.RootElement.Clone(), i, ""));
            }
            var context = new ParseContext(Profile.Kind, _clock.GetUtcNow(), name => name == Profile.OriginQuery ? origin : null);
            PayloadFormats.Parse(Profile.Kind, nodes, null, context);
            return context.Records;
        }
        catch (Exception ex) when (ex is PayloadException or JsonException)
        {
            _status.OnDropped("unparsable", items.Count);
            _logger.LogWarning("Dropped {Count} item(s) the {Endpoint} endpoint would refuse: {Error}", items.Count, Profile.Endpoint, ex.Message);
            return null;
        }
    }

    /// <summary>
    /// Queues items already checked by <see cref="Parse"/>, one compact JSON value each. <paramref name="onDelivered"/>
    /// runs once the console accepted them (not after a restart: what was queued then is sent, but nobody waits).
    /// </summary>
    public void Enqueue(IReadOnlyList<string> items, string origin, Action? onDelivered = null)
    {
        if (items.Count == 0) return;
        var query = $"{Profile.OriginQuery}={Uri.EscapeDataString(origin)}";
        // The callback is registered under the lock that also covers the enqueue, so a fast delivery cannot miss it.
        lock (_gate)
        {
            var sequence = _queue.Enqueue(Profile.Endpoint, query, items);
            if (onDelivered is not null) _onDelivered[sequence] = onDelivered;
        }
        _status.OnReceived(items.Count);
    }

    /// <summary>Parses, then queues what the console accepts; false when it would refuse them.</summary>
    public bool Offer(IReadOnlyList<string> items, string origin, Action? onDelivered = null)
    {
        if (Parse(items, origin) is null) return false;
        Enqueue(items, origin, onDelivered);
        return true;
    }

    /// <summary>One JSON value as the single line the queue stores.</summary>
    public static string Compact(JsonElement element) => JsonSerializer.Serialize(element);

    private void Delivered(IReadOnlyList<long> sequences)
    {
        var callbacks = new List<Action>();
        lock (_gate)
        {
            foreach (var sequence in sequences)
            {
                if (_onDelivered.Remove(sequence, out var callback)) callbacks.Add(callback);
            }
        }
        foreach (var callback in callbacks) callback();
    }
}
