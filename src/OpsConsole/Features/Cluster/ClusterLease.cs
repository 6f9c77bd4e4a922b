namespace OpsConsole.Features.Cluster;

/// <summary>
/// Who runs a once-per-cluster job (the reclassifier, detectors, sweepers, retention): one node at a time holds the
/// lease for it; the others wait. On one node (SQLite) the lease is always this node's.
/// </summary>
public interface IClusterLease
{
    /// <summary>Waits until this node holds the lease for <paramref name="job"/>; the lease's token is cancelled if it is lost.</summary>
    Task<Lease> AcquireAsync(string job, CancellationToken cancellationToken);
}

/// <summary>One held lease: <see cref="Lost"/> is cancelled when another node may take it over; disposing gives it up.</summary>
public sealed class Lease(CancellationToken lost, Func<ValueTask> release) : IAsyncDisposable
{
    public CancellationToken Lost { get; } = lost;

    public ValueTask DisposeAsync() => release();
}

/// <summary>The lease of a single node: nobody else can want it, so it is granted at once and never lost.</summary>
public sealed class SingleNodeLease : IClusterLease
{
    public Task<Lease> AcquireAsync(string job, CancellationToken cancellationToken) =>
        Task.FromResult(new Lease(CancellationToken.None, () => ValueTask.CompletedTask));
}
