using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Data;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Health;

public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: [ReadyTag])
            .AddCheck<RulesCheck>("rules", tags: [ReadyTag])
            .AddCheck<StorageCheck>("storage", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder routes)
    {
        // Liveness checks no dependency: the process answering is the signal; a slow database must not get it restarted.
        // It waits only for the start-up requests that compile the ingest path (bounded in time), so a sender or a
        // balancer that waits for it finds that path warm. Not a health check: those log every unhealthy answer as an error.
        routes.MapGet("/healthz", (IngestRequestWarmUp warmUp, HttpContext http) =>
        {
            http.Response.Headers.CacheControl = "no-store, no-cache";
            return warmUp.Done ? Results.Text("Healthy") : Results.Text("Starting", statusCode: StatusCodes.Status503ServiceUnavailable);
        }).ExcludeFromDescription();
        routes.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = HealthReportText.WriteAsync,
        });
        return routes;
    }

    /// <summary>Ready when the database answers and every migration is applied.</summary>
    private sealed class DatabaseReadyCheck(IDbContextFactory<OpsDbContext> databases) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                if (!await db.Database.CanConnectAsync(cancellationToken))
                    return HealthCheckResult.Unhealthy("The database cannot be reached.");
                var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
                return pending.Count == 0
                    ? HealthCheckResult.Healthy("Database reachable and migrated.")
                    : HealthCheckResult.Unhealthy($"Migrations not applied: {string.Join(", ", pending)}");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return HealthCheckResult.Unhealthy("The database check failed.", ex);
            }
        }
    }
}
