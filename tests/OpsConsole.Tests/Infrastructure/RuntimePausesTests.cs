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
        var before = Pauses();

        // The runtime delivers its events to listeners from a session thread, a moment after they happen.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((pauses.Collections == collections || Pauses() == before) && DateTime.UtcNow < deadline)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(200);
        }

        Assert.True(pauses.Collections > collections, "a forced full collection suspends every thread: one pause measured");
        Assert.True(Pauses() > before, "and observed in the pause histogram");
    }

    /// <summary>Pauses observed under every generation (other tests' collections land in the same process-wide metric).</summary>
    private static long Pauses() => new[] { "0", "1", "2" }.Sum(g => OpsMetrics.GcPause.WithLabels(g).Count);

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

    [Fact]
    public async Task A_host_logger_that_throws_never_stops_the_measuring()
    {
        var throwing = new ThrowingLogger();
        using (new RuntimePauses.Log(throwing))
        {
            // More blocked work items than pool threads: the pool grows by starvation, which is logged to every host. Past
            // its minimum (a console raises it: ThreadPoolFloor) and past the threads it has already, or no item would wait.
            // The pool also grows on its own (other tests' work, hill climbing), so while no starvation has been heard,
            // each second blocks another wave past the threads it has by then.
            using var release = new ManualResetEventSlim();
            ThreadPool.GetMinThreads(out var minimum, out _);
            var blocked = new List<Task>();
            void BlockWave() => blocked.AddRange(Enumerable.Range(0, Math.Max(minimum, ThreadPool.ThreadCount) + 12)
                .Select(_ => Task.Run(() => release.Wait(TimeSpan.FromSeconds(40)))));
            // Polled on this thread without awaiting: a continuation would queue behind the blocked items.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            for (var polls = 0; throwing.Calls == 0 && DateTime.UtcNow < deadline; polls++)
            {
                if (polls % 10 == 0) BlockWave();
                Thread.Sleep(100);
            }
            release.Set();
            await Task.WhenAll(blocked);
            Assert.True(throwing.Calls > 0, "the starved pool was reported to the host's logger, which threw");
        }

        // The listener goes on measuring after a host's logger failed inside its callback.
        var before = Pauses();
        var until = DateTime.UtcNow.AddSeconds(20);
        while (Pauses() == before && DateTime.UtcNow < until)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            Thread.Sleep(200);
        }
        Assert.True(Pauses() > before, "pauses are still measured after the logger threw");
    }

    private sealed class ThrowingLogger : ILogger<RuntimePauses>
    {
        private int _calls;
        public int Calls => Volatile.Read(ref _calls);
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Interlocked.Increment(ref _calls);
            throw new InvalidOperationException("this host's logging is gone");
        }
    }
}
