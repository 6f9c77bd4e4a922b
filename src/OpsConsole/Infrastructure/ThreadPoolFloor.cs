namespace OpsConsole.Infrastructure;

/// <summary>
/// How many thread-pool workers start at once, without the pool's starvation delay. Microsoft.Data.Sqlite does its
/// work synchronously, even behind async calls, so every query and commit holds a pool thread for as long as it runs,
/// and a reclassification holds one for minutes. On a 2-core machine the pool starts with two workers and adds one
/// about every half second only once queued work has made no progress: during a reclassification an ingest request
/// stalled for 0.8-1.1 s at exactly those moments (the runtime's starvation events), while its own pipeline took 15 ms.
/// Threads past the floor are still made only on demand. Set by <c>Runtime:MinWorkerThreads</c>.
/// </summary>
public static class ThreadPoolFloor
{
    public const int Default = 32;

    /// <summary>Raises the pool's minimum worker count to the configured floor; never lowers it (a host may have set more).</summary>
    public static int Apply(IConfiguration configuration)
    {
        var floor = Math.Max(configuration.GetValue("Runtime:MinWorkerThreads", Default), 1);
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        if (workers < floor) ThreadPool.SetMinThreads(floor, completionPorts);
        ThreadPool.GetMinThreads(out workers, out _);
        return workers;
    }
}
