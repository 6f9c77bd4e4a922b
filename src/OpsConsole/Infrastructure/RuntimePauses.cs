using System.Diagnostics.Tracing;

namespace OpsConsole.Infrastructure;

/// <summary>
/// Time the runtime, not the console's code, kept requests waiting: garbage-collection pauses (from suspending the
/// threads to restarting them) and thread-pool starvation (the pool adding a thread because queued work made no
/// progress). Both are invisible to a request's own timing — a request that waited 500 ms in the pool's queue
/// reports a 5 ms Server-Timing — so they are measured here from the runtime's own events, counted in metrics
/// and logged with the time when long enough to matter to a sender.
/// </summary>
/// <remarks>
/// One listener for the whole process, made on first use and never disposed: the runtime deadlocks when listeners on
/// its own events are made and disposed on two threads at once (seen here on .NET 10 with a tiny program; test hosts
/// started side by side hung CI for 90 min). A host only adds its logger while it lives (<see cref="Log"/>).
/// </remarks>
public sealed class RuntimePauses : EventListener
{
    /// <summary>A pause at least this long is logged: one ingest request may wait that long.</summary>
    public static readonly TimeSpan Noticeable = TimeSpan.FromMilliseconds(50);

    private const string RuntimeSource = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const EventKeywords ThreadingKeyword = (EventKeywords)0x10000;

    // Runtime event ids (ClrEtwAll.man): GCStart, GCSuspendEEBegin, GCRestartEEEnd, ThreadPoolWorkerThreadAdjustmentAdjustment.
    private const int GcStart = 1, SuspendBegin = 9, RestartEnd = 3, PoolAdjustment = 55;

    // ThreadPoolWorkerThreadAdjustmentAdjustment's reason when the pool grew because its work items made no progress.
    private const uint Starvation = 6;

    private static readonly Lazy<RuntimePauses> Process = new(() => new RuntimePauses());
    private static readonly Lock LoggersLock = new();
    private static ILogger[] _loggers = [];

    private DateTime _suspended;
    private (uint Generation, uint Type, uint Reason) _collection;

    private long _collections;

    private RuntimePauses() { }

    /// <summary>The process's listener, started by the first call.</summary>
    public static RuntimePauses Listener => Process.Value;

    /// <summary>Whether a host's logger hears the pauses now.</summary>
    internal static bool Hears(ILogger logger) => Volatile.Read(ref _loggers).Any(l => ReferenceEquals(l, logger));

    /// <summary>The collections (pauses) measured since the listener started.</summary>
    public long Collections => Interlocked.Read(ref _collections);

    /// <summary>
    /// A host's share of the listener: its logger hears the noticeable pauses until the host disposes this
    /// (every host in the process hears them: a pause stops them all).
    /// </summary>
    public sealed class Log : IDisposable
    {
        private readonly ILogger _logger;

        public Log(ILogger<RuntimePauses> logger)
        {
            _logger = logger;
            _ = Listener;
            lock (LoggersLock) _loggers = [.. _loggers, logger];
        }

        public void Dispose()
        {
            lock (LoggersLock) _loggers = [.. _loggers.Where(l => !ReferenceEquals(l, _logger))];
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        // Called from the base constructor for sources that exist already: enabling is all it does.
        if (eventSource.Name == RuntimeSource) EnableEvents(eventSource, EventLevel.Informational, GcKeyword | ThreadingKeyword);
    }

    protected override void OnEventWritten(EventWrittenEventArgs e)
    {
        switch (e.EventId)
        {
            case GcStart:
                _collection = (Value(e, "Depth"), Value(e, "Type"), Value(e, "Reason"));
                break;
            case SuspendBegin:
                _suspended = e.TimeStamp;
                break;
            case RestartEnd when _suspended != default:
                var pause = e.TimeStamp - _suspended;
                _suspended = default;
                Interlocked.Increment(ref _collections);
                OpsMetrics.GcPause.WithLabels(_collection.Generation.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(pause.TotalSeconds);
                if (pause >= Noticeable)
                    Warn(logger => logger.LogWarning("The runtime paused every thread for {Milliseconds:F0} ms at {At:HH:mm:ss.fff} UTC: gen{Generation} collection (type {Type}, reason {Reason})",
                        pause.TotalMilliseconds, e.TimeStamp.ToUniversalTime(), _collection.Generation, _collection.Type, _collection.Reason));
                break;
            case PoolAdjustment when Value(e, "Reason") == Starvation:
                OpsMetrics.ThreadPoolStarvation.Inc();
                Warn(logger => logger.LogWarning("The thread pool was starved at {At:HH:mm:ss.fff} UTC (queued work made no progress); it grows to {Threads} threads",
                    e.TimeStamp.ToUniversalTime(), Value(e, "NewWorkerThreadCount")));
                break;
        }
    }

    private static void Warn(Action<ILogger> write)
    {
        foreach (var logger in Volatile.Read(ref _loggers))
        {
            // A host stopping now may have disposed its providers a moment before taking its logger out: whatever one
            // host's logging throws stays here, so the other hosts still hear the pause and the runtime's dispatch
            // thread never sees an exception from this callback.
            try { write(logger); }
            catch (Exception) { }
        }
    }

    private static uint Value(EventWrittenEventArgs e, string name)
    {
        var index = e.PayloadNames?.IndexOf(name) ?? -1;
        return index >= 0 && e.Payload?[index] is { } value ? Convert.ToUInt32(value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}
