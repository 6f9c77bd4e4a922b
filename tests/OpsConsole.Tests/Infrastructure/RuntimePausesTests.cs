using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>The console sees the runtime's own pauses: each collection is measured from the runtime's events.</summary>
public sealed class RuntimePausesTests
{
    [Fact]
    public async Task A_collection_is_measured_as_a_pause_in_the_gc_pause_metric()
    {
        using var pauses = new RuntimePauses(NullLogger<RuntimePauses>.Instance);
        var before = OpsMetrics.GcPause.WithLabels("2").Count;

        // The runtime delivers its events to listeners from a session thread, a moment after they happen.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (pauses.Collections == 0 && DateTime.UtcNow < deadline)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true);
            await Task.Delay(200);
        }

        Assert.True(pauses.Collections > 0, "a forced full collection suspends every thread: one pause measured");
        Assert.True(OpsMetrics.GcPause.WithLabels("2").Count > before, "and observed under generation 2");
    }
}
