using Prometheus;

namespace OpsConsole.Features.Collectors;

/// <summary>What a collector reports about itself on /healthz and /metrics: backlog, last sent, last error.</summary>
public sealed class CollectorStatus(CollectorIdentity identity, FileQueue queue, TimeProvider clock)
{
    private static readonly Gauge BacklogGauge = Metrics.CreateGauge("opsconsole_collector_backlog_batches",
        "Batches buffered on disk, not yet accepted by the console.", "collector");
    private static readonly Counter Received = Metrics.CreateCounter("opsconsole_collector_items_received_total",
        "Items the collector read from its source and queued.", "collector");
    private static readonly Counter Sent = Metrics.CreateCounter("opsconsole_collector_items_sent_total",
        "Items the console accepted.", "collector");
    private static readonly Counter Failures = Metrics.CreateCounter("opsconsole_collector_send_failures_total",
        "Sends that failed and will be retried (console unreachable, 5xx, 429).", "collector");
    private static readonly Counter Dropped = Metrics.CreateCounter("opsconsole_collector_items_dropped_total",
        "Items the source produced that the ingestion parser refuses, or batches the console refused with 4xx.", "collector", "reason");
    private static readonly Gauge LastSent = Metrics.CreateGauge("opsconsole_collector_last_sent_timestamp_seconds",
        "When the console last accepted a batch (unix seconds).", "collector");

    private readonly Lock _gate = new();

    public CollectorIdentity Identity { get; } = identity;
    public int Backlog => queue.Backlog;
    public DateTimeOffset? LastSentAt { get; private set; }
    public DateTimeOffset? LastErrorAt { get; private set; }
    public string? LastError { get; private set; }
    public long ItemsReceived { get; private set; }
    public long ItemsSent { get; private set; }

    public void OnReceived(int items)
    {
        lock (_gate) ItemsReceived += items;
        Received.WithLabels(Identity.Name).Inc(items);
        BacklogGauge.WithLabels(Identity.Name).Set(queue.Backlog);
    }

    public void OnSent(int items)
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            ItemsSent += items;
            LastSentAt = now;
        }
        Sent.WithLabels(Identity.Name).Inc(items);
        LastSent.WithLabels(Identity.Name).Set(now.ToUnixTimeSeconds());
        BacklogGauge.WithLabels(Identity.Name).Set(queue.Backlog);
    }

    public void OnError(string error, bool willRetry)
    {
        lock (_gate)
        {
            LastError = error;
            LastErrorAt = clock.GetUtcNow();
        }
        if (willRetry) Failures.WithLabels(Identity.Name).Inc();
        BacklogGauge.WithLabels(Identity.Name).Set(queue.Backlog);
    }

    public void OnDropped(string reason, int items) => Dropped.WithLabels(Identity.Name, reason).Inc(items);

    /// <summary>The /healthz body: degraded while the last attempt failed and something waits to be sent.</summary>
    public object Snapshot()
    {
        lock (_gate)
        {
            var failing = LastErrorAt is { } e && (LastSentAt is null || e > LastSentAt) && queue.Backlog > 0;
            return new
            {
                status = failing ? "degraded" : "ok",
                collector = Identity,
                backlog = queue.Backlog,
                itemsReceived = ItemsReceived,
                itemsSent = ItemsSent,
                lastSentAt = LastSentAt,
                lastError = LastError,
                lastErrorAt = LastErrorAt,
            };
        }
    }
}
