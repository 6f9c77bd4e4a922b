using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Cluster;

/// <summary>
/// A background job that runs on one node of the cluster at a time: it waits for its lease, runs while it holds it and,
/// if the lease is lost (the node's database connection dropped), stops and waits for it again, so another node takes
/// over within the lease's keepalive. <c>opsconsole_cluster_leader{job}</c> says which node runs it now.
/// </summary>
public abstract class LeaderOnlyService(IClusterLease lease, ILogger logger) : BackgroundService
{
    /// <summary>The lease's name, shown in metrics and health.</summary>
    protected abstract string Job { get; }

    /// <summary>The job's work, run while this node leads it; <paramref name="cancellationToken"/> also ends it when the lease is lost.</summary>
    protected abstract Task LeadAsync(CancellationToken cancellationToken);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var held = await lease.AcquireAsync(Job, stoppingToken);
                using var leading = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, held.Lost);
                OpsMetrics.ClusterLeader.WithLabels(Job).Set(1);
                try
                {
                    await LeadAsync(leading.Token);
                }
                catch (OperationCanceledException) when (held.Lost.IsCancellationRequested)
                {
                    // Handled below: the lease went, the job waits for it again.
                }
                finally
                {
                    OpsMetrics.ClusterLeader.WithLabels(Job).Set(0);
                }
                if (held.Lost.IsCancellationRequested) logger.LogWarning("This node lost the lease for {Job}; another node takes it over", Job);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // A dropped lease connection or a failing run: wait a little, then compete for the lease again.
                logger.LogError(ex, "{Job} stopped; this node competes for its lease again", Job);
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }
}
