using Microsoft.Extensions.Configuration;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Infrastructure;

public sealed class ThreadPoolFloorTests
{
    [Fact]
    public void A_console_starts_with_the_default_floor_of_workers_or_more()
    {
        using var factory = new OpsConsoleFactory();
        _ = factory.Services;
        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= ThreadPoolFloor.Default, $"{workers} workers start without delay, the floor is {ThreadPoolFloor.Default}");
    }

    [Fact]
    public void A_floor_below_the_current_minimum_leaves_it_alone()
    {
        ThreadPool.GetMinThreads(out var before, out _);
        var after = ThreadPoolFloor.Apply(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Runtime:MinWorkerThreads"] = "1" }).Build());
        Assert.Equal(before, after);
    }
}
