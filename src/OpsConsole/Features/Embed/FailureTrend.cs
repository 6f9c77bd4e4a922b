using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Embed;

/// <summary>
/// Failures received per hour over the last 24 hours, for the summary panel's trend. Kept in memory from the
/// change feed and primed from the store at start-up, so 50 wall screens never scan the records table.
/// </summary>
public sealed class FailureTrend(IRecordChangeFeed feed, IRecordStore store, TimeProvider clock) : BackgroundService
{
    public const int Hours = 24;

    private readonly Lock _gate = new();
    private readonly Dictionary<long, int> _perHour = [];
    private IDisposable? _subscription;

    /// <summary>Failures per hour, oldest first; the last entry is the current hour.</summary>
    public IReadOnlyList<(DateTimeOffset Hour, int Failures)> Last24Hours()
    {
        var current = HourOf(clock.GetUtcNow());
        lock (_gate)
        {
            return Enumerable.Range(0, Hours)
                .Select(i => current - (Hours - 1) + i)
                .Select(h => (DateTimeOffset.FromUnixTimeMilliseconds(h * 3_600_000), _perHour.GetValueOrDefault(h)))
                .ToList();
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = feed.Subscribe(records =>
        {
            var perHour = new Dictionary<long, int>();
            foreach (var record in records)
                if (record.IsFailure) perHour[HourOf(record.ReceivedAt)] = perHour.GetValueOrDefault(HourOf(record.ReceivedAt)) + 1;
            if (perHour.Count == 0) return;
            lock (_gate)
            {
                foreach (var (hour, count) in perHour) _perHour[hour] = _perHour.GetValueOrDefault(hour) + count;
                Expire();
            }
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
        var primed = await store.FailuresPerHourAsync(clock.GetUtcNow() - TimeSpan.FromHours(Hours), stoppingToken);
        lock (_gate)
        {
            foreach (var (hour, count) in primed) _perHour[hour] = _perHour.GetValueOrDefault(hour) + count;
            Expire();
        }
    }

    private void Expire()
    {
        var oldest = HourOf(clock.GetUtcNow()) - Hours;
        foreach (var stale in _perHour.Keys.Where(h => h <= oldest).ToList()) _perHour.Remove(stale);
    }

    private static long HourOf(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 3_600_000;
}
