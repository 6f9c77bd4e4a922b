using System.Threading.Channels;
using OpsConsole.Data;
using OpsConsole.Data.Notices;

namespace OpsConsole.Features.Embed;

/// <summary>
/// Failures received per hour over the last 24 hours, for the summary panel's trend: a copy of the store's per-hour
/// counter rows, read again after commit notices that change them (new records, reclassification, deletes, from any
/// node), so every node shows the same figures and 50 wall screens never scan the records table.
/// </summary>
public sealed class FailureTrend(ICommitFeed feed, IRecordStore store, TimeProvider clock, ILogger<FailureTrend> logger) : BackgroundService
{
    public const int Hours = 24;

    private const CommitKinds Affecting = CommitKinds.Records | CommitKinds.Classification | CommitKinds.Retention;

    private volatile IReadOnlyDictionary<long, int> _perHour = new Dictionary<long, int>();
    // Many notices while one read runs make one more read, not one each.
    private readonly Channel<bool> _stale = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private IDisposable? _subscription;

    /// <summary>Failures per hour, oldest first; the last entry is the current hour.</summary>
    public IReadOnlyList<(DateTimeOffset Hour, int Failures)> Last24Hours()
    {
        var current = HourOf(clock.GetUtcNow());
        var perHour = _perHour;
        return Enumerable.Range(0, Hours)
            .Select(i => current - (Hours - 1) + i)
            .Select(h => (DateTimeOffset.FromUnixTimeMilliseconds(h * 3_600_000), perHour.GetValueOrDefault(h)))
            .ToList();
    }

    /// <summary>Reads the counters now (for tests and for a page that must show a commit it just made).</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var rows = await store.FailuresPerHourAsync(clock.GetUtcNow() - TimeSpan.FromHours(Hours), cancellationToken);
        _perHour = rows.ToDictionary(r => r.Hour, r => r.Failures);
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(notice =>
        {
            if ((notice.Kinds & Affecting) != 0) _stale.Writer.TryWrite(true);
        });
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Reading the failure trend failed; the next change reads it again");
            }
        }
        while (await _stale.Reader.ReadAsync(stoppingToken));
    }

    private static long HourOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 3_600_000;
}
