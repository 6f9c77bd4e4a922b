namespace OpsConsole.Features.Classification;

/// <summary>Primes the correlations at start-up, so the first request that needs one never queries the store itself.</summary>
public sealed class CorrelationPriming(RecordCorrelator correlator, ILogger<CorrelationPriming> logger) : BackgroundService
{
    private readonly TaskCompletionSource _primed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once priming has run (for tests and health).</summary>
    public Task Primed => _primed.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await correlator.PrimeAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Priming the record correlations failed; they start from what arrives");
        }
        finally
        {
            _primed.TrySetResult();
        }
    }
}
