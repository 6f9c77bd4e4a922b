using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpsConsole.Features.Classification;

namespace OpsConsole.Features.Health;

/// <summary>
/// Degraded while the rule files on disk do not load: the console still classifies with the rules in force,
/// but the operator's edit is not applied and /readyz says why (file, rule and problem).
/// </summary>
internal sealed class RulesCheck(IncidentClassifier classifier) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (classifier.Problem is { } problem)
            return Task.FromResult(HealthCheckResult.Degraded($"The edited rules were not loaded; the rules in force stay: {problem}"));
        if (classifier.Rules.Warnings.Count > 0)
            return Task.FromResult(HealthCheckResult.Degraded(string.Join("; ", classifier.Rules.Warnings)));
        return Task.FromResult(HealthCheckResult.Healthy());
    }
}
