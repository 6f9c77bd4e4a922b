using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Records;

/// <summary>
/// The contents of newly committed records, for this node's consumers that need more than ids (sender activity,
/// crash-loop detection, correlations). Records committed here arrive with their notice, at once; records another node
/// committed are read once per notice by id range, so every node's consumers see every node's records.
/// </summary>
public sealed class CommittedRecords : BackgroundService
{
    /// <summary>Records read per query when a notice names many.</summary>
    internal const int ReadPage = 1_000;

    private readonly IDbContextFactory<OpsDbContext> _databases;
    private readonly ILogger<CommittedRecords> _logger;
    private readonly IDisposable _subscription;
    private readonly Channel<CommitNotice> _remote = Channel.CreateUnbounded<CommitNotice>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ListenerList<IReadOnlyList<EventRecord>> _consumers;
    private int _pending;

    public CommittedRecords(ICommitFeed feed, IDbContextFactory<OpsDbContext> databases, ILogger<CommittedRecords> logger)
    {
        _databases = databases;
        _logger = logger;
        _consumers = new ListenerList<IReadOnlyList<EventRecord>>(logger, "committed-records");
        // Subscribed from construction, so nothing committed while the host starts is lost.
        _subscription = feed.Subscribe(OnNotice);
    }

    public IDisposable Subscribe(Action<IReadOnlyList<EventRecord>> consumer) => _consumers.Add(consumer);

    /// <summary>Completes when every other node's records announced so far have been read and handed on (for tests).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken)
    {
        while (Volatile.Read(ref _pending) > 0) await Task.Delay(20, cancellationToken);
    }

    private void OnNotice(CommitNotice notice)
    {
        if (!notice.Kinds.HasFlag(CommitKinds.Records) || notice.HighWater == 0) return;
        if (notice.Records is { } local)
        {
            Deliver(local);
            return;
        }
        Interlocked.Increment(ref _pending);
        _remote.Writer.TryWrite(notice);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var notice in _remote.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                await ReadAsync(notice.From, notice.HighWater, stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _logger.LogError(ex, "Reading records {From}…{To} announced by another node failed", notice.From, notice.HighWater);
            }
            finally
            {
                Interlocked.Decrement(ref _pending);
            }
        }
    }

    private async Task ReadAsync(long from, long to, CancellationToken cancellationToken)
    {
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        var next = from;
        while (next <= to)
        {
            var after = next;
            var page = await db.Records.AsNoTracking().Where(r => r.Id >= after && r.Id <= to).OrderBy(r => r.Id).Take(ReadPage)
                .ToListAsync(cancellationToken);
            if (page.Count == 0) return;
            Deliver(page);
            next = page[^1].Id + 1;
        }
    }

    private void Deliver(IReadOnlyList<EventRecord> records) => _consumers.Invoke(records);

    public override void Dispose()
    {
        _subscription.Dispose();
        base.Dispose();
    }

}
