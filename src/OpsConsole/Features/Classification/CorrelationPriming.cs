using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Primes the correlations at start-up, so the first request that needs one never queries the store itself, and lets
/// them remember every committed record from then on (this node's at once, before the write returns; other nodes' as
/// their notices arrive).
/// </summary>
public sealed class CorrelationPriming(RecordCorrelator correlator, CommittedRecords committed, ILogger<CorrelationPriming> logger) : BackgroundService
{
    private readonly TaskCompletionSource _primed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IDisposable? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = committed.Subscribe(correlator.Remember);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken);
    }

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
