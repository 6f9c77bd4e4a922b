using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Data;

namespace OpsConsole.Features.Health;

/// <summary>Unhealthy while writes to the database fail (see <see cref="StorageHealth"/>).</summary>
internal sealed class StorageCheck(StorageHealth storage) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await storage.CheckAsync(cancellationToken) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();
}
