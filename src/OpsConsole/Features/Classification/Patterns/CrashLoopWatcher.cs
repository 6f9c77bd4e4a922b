using System.Threading.Channels;
using OpsConsole.Features.Cluster;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Runs the crash-loop detector on every committed batch (from any node), off the ingestion request path: the sender gets
/// its answer as soon as its records are committed, and the pattern record follows within moments. One node of a cluster
/// watches; batches that arrive while one is being examined are examined together.
/// </summary>
public sealed class CrashLoopWatcher(
    CommittedRecords committed,
    CrashLoopDetector detector,
    PatternRecordWriter patterns,
    IncidentClassifier classifier,
    IClusterLease lease,
    ILogger<CrashLoopWatcher> logger) : LeaderOnlyService(lease, logger)
{
    private int _pending;

    protected override string Job => "crash-loop-watcher";

    /// <summary>Completes when every batch published so far has been examined (for tests and shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _pending) > 0) await Task.Delay(20, cancellationToken);
    }

    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        var queue = Channel.CreateUnbounded<IReadOnlyList<EventRecord>>(new UnboundedChannelOptions { SingleReader = true });
        // Subscribed before the first await: on a single node the lease is granted during start-up, before any request.
        using var subscription = committed.Subscribe(records =>
        {
            if (!records.Any(r => r.Format != DerivedRecord.Format)) return;
            Interlocked.Increment(ref _pending);
            queue.Writer.TryWrite(records);
        });
        try
        {
            await detector.PrimeAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Priming the crash-loop windows failed; the first batch tries again");
        }
        try
        {
            await ExamineAsync(queue.Reader, stoppingToken);
        }
        finally
        {
            // Batches left when the lease went are the next leader's to see in its primed windows.
            var left = 0;
            while (queue.Reader.TryRead(out _)) left++;
            Interlocked.Add(ref _pending, -left);
        }
    }

    private async Task ExamineAsync(ChannelReader<IReadOnlyList<EventRecord>> reader, CancellationToken stoppingToken)
    {
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
}
