using System.Threading.Channels;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Runs the crash-loop detector on every committed batch, off the ingestion request path: the sender gets
/// its answer as soon as its records are committed, and the pattern record follows within moments.
/// Batches that arrive while one is being examined are examined together.
/// </summary>
public sealed class CrashLoopWatcher(
    CommittedRecords committed,
    CrashLoopDetector detector,
    PatternRecordWriter patterns,
    IncidentClassifier classifier,
    ILogger<CrashLoopWatcher> logger) : BackgroundService
{
    private readonly Channel<IReadOnlyList<EventRecord>> _queue = Channel.CreateUnbounded<IReadOnlyList<EventRecord>>(
        new UnboundedChannelOptions { SingleReader = true });
    private int _pending;
    private IDisposable? _subscription;

    /// <summary>Completes when every batch published so far has been examined (for tests and shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _pending) > 0) await Task.Delay(20, cancellationToken);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = committed.Subscribe(records =>
        {
            if (!records.Any(r => r.Format != DerivedRecord.Format)) return;
            Interlocked.Increment(ref _pending);
            _queue.Writer.TryWrite(records);
        });
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await detector.PrimeAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Priming the crash-loop windows failed; the first batch tries again");
        }
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(stoppingToken))
        {
            var batch = new List<EventRecord>();
            var taken = 0;
            while (reader.TryRead(out var records))
            {
                batch.AddRange(records);
                taken++;
            }
            try
            {
                await patterns.WriteAsync(await detector.DetectAsync(batch, classifier.Rules.Version, stoppingToken), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Crash-loop detection failed for {Count} records", batch.Count);
            }
            finally
            {
                Interlocked.Add(ref _pending, -taken);
            }
        }
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }
}
