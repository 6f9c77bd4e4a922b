using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>The console sees the runtime's own pauses: each collection is measured from the runtime's events.</summary>
public sealed class RuntimePausesTests
{
    [Fact]
    public async Task A_collection_is_measured_as_a_pause_in_the_gc_pause_metric()
    {
        var pauses = RuntimePauses.Listener;
        var collections = pauses.Collections;
        var before = OpsMetrics.GcPause.WithLabels("2").Count;

        // The runtime delivers its events to listeners from a session thread, a moment after they happen; other tests'
        // young collections arrive too, so this waits for a generation-2 pause, as the forced collection makes.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (OpsMetrics.GcPause.WithLabels("2").Count == before && DateTime.UtcNow < deadline)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(200);
        }

        Assert.True(pauses.Collections > collections, "a forced full collection suspends every thread: one pause measured");
        Assert.True(OpsMetrics.GcPause.WithLabels("2").Count > before, "and observed under generation 2");
    }

    [Fact]
    public async Task Hosts_starting_and_stopping_side_by_side_share_one_listener_and_never_hang()
    {
        // Listeners on the runtime's events made and disposed on two threads at once deadlock the runtime's event
        // dispatcher (a test run hung on it): a host's share must not make or dispose one.
        var listener = RuntimePauses.Listener;
        var until = DateTime.UtcNow.AddSeconds(3);
        var shares = 0;
        var loggers = Enumerable.Range(0, 4).Select(_ => new Logger<RuntimePauses>(NullLoggerFactory.Instance)).ToArray();
        var hosts = loggers.Select(logger => Task.Factory.StartNew(() =>
        {
            while (DateTime.UtcNow < until)
            {
                using var log = new RuntimePauses.Log(logger);
                Assert.True(RuntimePauses.Hears(logger));
                Interlocked.Increment(ref shares);
                GC.Collect(0);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();

        var all = Task.WhenAll(hosts);
        Assert.Same(all, await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(60))));
        await all;
        Assert.True(shares > 4, $"each host came and went repeatedly ({shares} shares)");
        Assert.Same(listener, RuntimePauses.Listener);
        Assert.All(loggers, logger => Assert.False(RuntimePauses.Hears(logger), "a stopped host's logger is let go"));
    }
}
