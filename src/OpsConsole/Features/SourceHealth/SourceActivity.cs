using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.SourceHealth;

/// <summary>One sender as the Sources page lists it: a source and where it reports from (cluster, host, cloud, region, unit).</summary>
public sealed record SourceSummary(string Source, string Origin, string Kind, DateTimeOffset LastSeenAt, int LastHour, bool IsSilent);

/// <summary>
/// Who is sending: per source and origin, when it last sent and how many records in the last hour. Kept in
/// memory from every node's committed records (primed from the store at start-up), so the page never scans the records table.
/// </summary>
public sealed class SourceActivity : BackgroundService
{
    private readonly CommittedRecords _committed;
    private readonly IRecordStore _store;
    private readonly IOptionsMonitor<SourcesOptions> _options;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Source, string Origin), Activity> _activity = [];

    public SourceActivity(CommittedRecords committed, IRecordStore store, IOptionsMonitor<SourcesOptions> options, TimeProvider clock)
    {
        _committed = committed;
        _store = store;
        _options = options;
        _clock = clock;
    }

    private sealed class Activity(string kind)
    {
        public string Kind { get; } = kind;
        public DateTimeOffset LastSeenAt { get; set; }

        /// <summary>Records per minute (unix minute → count), the last hour only.</summary>
        public SortedDictionary<long, int> PerMinute { get; } = [];
    }

    public IReadOnlyList<SourceSummary> Summaries()
    {
        var now = _clock.GetUtcNow();
        var hourAgo = Minute(now) - 60;
        var silentAfter = _options.CurrentValue.SilentAfter;
        lock (_gate)
        {
            return _activity
                .Select(a => new SourceSummary(a.Key.Source, a.Key.Origin, a.Value.Kind, a.Value.LastSeenAt,
                    a.Value.PerMinute.Where(m => m.Key > hourAgo).Sum(m => m.Value), now - a.Value.LastSeenAt > silentAfter))
                .OrderByDescending(s => s.IsSilent).ThenBy(s => s.Source, StringComparer.Ordinal).ThenBy(s => s.Origin, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>Where an instance reports from (cluster, host, cloud, region, app or unit), as its source's profile says.</summary>
    private static string OriginOf(string source, string kind, IReadOnlyList<IdentityPart> parts) =>
        SourceProfiles.For(source, kind).OriginOf(parts, source);

    private IDisposable? _subscription;

    /// <summary>The row that counts senders beyond <see cref="SourcesOptions.MaxTracked"/>.</summary>
    public const string OtherSenders = "other";

    /// <summary>
    /// Subscribes before the background priming starts, so nothing published meanwhile is lost (a record that
    /// arrives while priming reads the last hour may count twice in that hour; it is a display figure).
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _subscription = _committed.Subscribe(Add);
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _subscription?.Dispose();
        await base.StopAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => PrimeAsync(stoppingToken);

    private void Add(IReadOnlyList<EventRecord> records)
    {
        // A batch usually comes from one sender: count per sender first, then touch the shared state once each.
        var counts = new Dictionary<(string Source, string Origin, string Kind, long Minute), (int Count, DateTimeOffset Last)>();
        foreach (var record in records)
        {
            // Runs for every ingested record: the parser's parts are still in memory, nothing is parsed again.
            var key = (record.Source, OriginOf(record.Source, record.Kind, InstanceIdentity.PartsOf(record)), record.Kind, Minute(record.ReceivedAt));
            var (count, last) = counts.GetValueOrDefault(key);
            counts[key] = (count + 1, record.ReceivedAt > last ? record.ReceivedAt : last);
        }
        lock (_gate)
        {
            foreach (var ((source, origin, kind, _), (count, last)) in counts)
                Count(source, origin, kind, last, count);
        }
    }

    private async Task PrimeAsync(CancellationToken cancellationToken)
    {
        // Older origins come from the instance states (one row per instance; their time is the source's own, close
        // enough for "last seen" beyond the hour); the last hour's counts from the records received in it.
        var sightings = await _store.SendersAsync(_clock.GetUtcNow() - TimeSpan.FromHours(1), cancellationToken);
        lock (_gate)
        {
            foreach (var seen in sightings)
            {
                var origin = OriginOf(seen.Source, seen.Kind, InstanceIdentity.Read(seen.Identity, seen.InstanceKey));
                if (seen.Counted) Count(seen.Source, origin, seen.Kind, seen.At, 1);
                else Touch(seen.Source, origin, seen.Kind, seen.At);
            }
        }
    }

    private Activity Touch(string source, string origin, string kind, DateTimeOffset at)
    {
        if (!_activity.TryGetValue((source, origin), out var activity))
        {
            // Senders choose their names; past the limit a new one joins the shared "other" row instead of growing the map.
            if (_activity.Count >= _options.CurrentValue.MaxTracked) (source, origin) = (OtherSenders, OtherSenders);
            if (!_activity.TryGetValue((source, origin), out activity))
                _activity[(source, origin)] = activity = new Activity(kind);
        }
        if (at > activity.LastSeenAt) activity.LastSeenAt = at;
        return activity;
    }

    private void Count(string source, string origin, string kind, DateTimeOffset at, int count)
    {
        var activity = Touch(source, origin, kind, at);
        var minute = Minute(at);
        activity.PerMinute[minute] = activity.PerMinute.GetValueOrDefault(minute) + count;
        var expired = Minute(_clock.GetUtcNow()) - 60;
        while (activity.PerMinute.Count > 0 && activity.PerMinute.First().Key <= expired) activity.PerMinute.Remove(activity.PerMinute.First().Key);
    }

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 60_000;
}
