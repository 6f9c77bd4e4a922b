using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.SourceHealth;

/// <summary>One sender as the Sources page lists it: a source and where it reports from (cluster, host, cloud, region, unit).</summary>
public sealed record SourceSummary(string Source, string Origin, string Kind, DateTimeOffset LastSeenAt, int LastHour, bool IsSilent);

/// <summary>
/// Who is sending: per source and origin, when it last sent and how many records in the last hour. Kept in
/// memory from every node's committed records, so the page never scans the records table. Each sender's last sighting
/// and per-minute counts are saved in <see cref="SourceOrigin"/> rows (one per sender, a new one within
/// <see cref="SaveInterval"/>, a known one at most every <see cref="ResaveAfter"/>, all at shutdown); start-up reads only
/// those rows, bounded by the number of senders whatever the history or the ingest rate (the records of the last hour
/// were 55 k rows and 2.5 s at 1 M records).
/// </summary>
public sealed class SourceActivity : BackgroundService
{
    /// <summary>How often new senders are saved (and known ones checked against <see cref="ResaveAfter"/>).</summary>
    public static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A saved sender seen again is saved again at most this often, so a crash (not a shutdown, which saves everything)
    /// loses at most this much of a known sender's "last seen" and last-hour counts. Saving every sender on every tick
    /// cost a busy console ~9% of its ingest time (5000 senders: an EF Core update of each row every 30 s, holding
    /// SQLite's write lock against the ingest writer).
    /// </summary>
    public static readonly TimeSpan ResaveAfter = TimeSpan.FromMinutes(10);

    private readonly CommittedRecords _committed;
    private readonly IDbContextFactory<OpsDbContext> _databases;
    private readonly IRecordStore _store;
    private readonly IOptionsMonitor<SourcesOptions> _options;
    private readonly TimeProvider _clock;
    private readonly Lock _gate = new();
    private readonly Dictionary<(string Source, string Origin), Activity> _activity = [];
    private readonly HashSet<(string Source, string Origin)> _unsaved = [];

    public SourceActivity(CommittedRecords committed, IDbContextFactory<OpsDbContext> databases, IRecordStore store,
        IOptionsMonitor<SourcesOptions> options, TimeProvider clock)
    {
        _committed = committed;
        _databases = databases;
        _store = store;
        _options = options;
        _clock = clock;
    }

    private sealed class Activity(string kind)
    {
        public string Kind { get; } = kind;
        public DateTimeOffset LastSeenAt { get; set; }

        /// <summary>When this sender's row was last saved (null: not by this process).</summary>
        public DateTimeOffset? SavedAt { get; set; }

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
    /// Subscribes before the background priming starts, so nothing published meanwhile is lost (a record another node
    /// saved in its counts while this one primes may count twice in that minute; it is a display figure).
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
        try
        {
            await SaveAsync(cancellationToken, everything: true);
        }
        catch (ObjectDisposedException)
        {
            // A host stopped twice at once (WebApplicationFactory does, dotnet/aspnetcore#57738) may have disposed the
            // services already. The counts are display figures: the next start shows what the last periodic save kept.
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await PrimeAsync(stoppingToken);
        using var timer = new PeriodicTimer(SaveInterval, _clock);
        while (await timer.WaitForNextTickAsync(stoppingToken)) await SaveAsync(stoppingToken);
    }

    /// <summary>
    /// Saves the senders seen since their last save that are due (new ones, and known ones saved <see cref="ResaveAfter"/>
    /// ago or longer; every one when <paramref name="everything"/>): reads the rows (one per sender, bounded like the
    /// memory), moves each one's last sighting forward and merges its minutes, keeping the larger count of a minute
    /// (every node counts every node's records, so the larger is the one that saw more of them). Written by the record
    /// store in a write transaction of its own, queued with the ingest requests': an EF Core save beside them held
    /// SQLite's write lock outside that queue, and the ingest transaction it met waited ~280 ms in SQLite's busy handler.
    /// Two nodes saving the same sender read and merge its row in turn (the store's write lock is cluster-wide). A save
    /// that fails leaves its senders for the next one.
    /// </summary>
    internal async Task SaveAsync(CancellationToken cancellationToken, bool everything = false)
    {
        var now = _clock.GetUtcNow();
        List<SourceOrigin> seen;
        var hourAgo = Minute(now) - 60;
        lock (_gate)
        {
            var due = _unsaved.Where(k => everything || _activity[k].SavedAt is not { } saved || now - saved >= ResaveAfter).ToList();
            seen = due.Select(k => new SourceOrigin
            {
                Source = k.Source, Origin = k.Origin, Kind = _activity[k].Kind, LastSeenAt = _activity[k].LastSeenAt,
                LastHour = MinuteCounts.Write(_activity[k].PerMinute.Where(m => m.Key > hourAgo)),
            }).ToList();
            _unsaved.ExceptWith(due);
        }
        if (seen.Count == 0) return;
        try
        {
            await _store.SaveSourceOriginsAsync(seen, hourAgo, cancellationToken);
            lock (_gate)
                foreach (var sighting in seen)
                    if (_activity.TryGetValue((sighting.Source, sighting.Origin), out var activity)) activity.SavedAt = now;
        }
        catch (System.Data.Common.DbException)
        {
            lock (_gate) _unsaved.UnionWith(seen.Select(s => (s.Source, s.Origin)));
        }
    }

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
        // Senders and their last hour from the saved rows, one per sender: no records are read.
        await using var db = await _databases.CreateDbContextAsync(cancellationToken);
        var saved = await PrimeQuery(db).ToListAsync(cancellationToken);
        // A store from before the rows were kept: its senders are read from the instance states once, then saved.
        var instances = saved.Count > 0 ? [] : await db.InstanceStates.AsNoTracking()
            .Select(s => new { s.Source, s.Kind, s.InstanceKey, s.Identity, s.LastSeenAt }).ToListAsync(cancellationToken);
        var hourAgo = Minute(_clock.GetUtcNow()) - 60;
        lock (_gate)
        {
            foreach (var sender in saved)
            {
                // Added to what arrived since start-up: those records came after the save these counts are from.
                var activity = Touch(sender.Source, sender.Origin, sender.Kind, sender.LastSeenAt);
                foreach (var (minute, count) in MinuteCounts.Read(sender.LastHour).Where(m => m.Key > hourAgo))
                    activity.PerMinute[minute] = activity.PerMinute.GetValueOrDefault(minute) + count;
            }
        }
        // Each instance's origin is worked out before the lock, and the senders merged a chunk at a time: the lock is
        // also taken by every ingest request's commit (Add), and one pass over 205 k instance states under it held a
        // request 0.9-1.2 s (3.9 s at load 25) about a second after start-up.
        foreach (var chunk in instances
                     .Select(i => (i.Source, Origin: OriginOf(i.Source, i.Kind, InstanceIdentity.Read(i.Identity, i.InstanceKey)), i.Kind, i.LastSeenAt))
                     .Chunk(PrimeChunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
                foreach (var (source, origin, kind, lastSeenAt) in chunk)
                    Touch(source, origin, kind, lastSeenAt);
        }
    }

    /// <summary>Instance states merged per hold of the lock when start-up reads senders from them.</summary>
    private const int PrimeChunk = 1_000;

    /// <summary>What start-up reads: the saved rows, one per sender (at most <see cref="SourcesOptions.MaxTracked"/> and "other").</summary>
    internal static IQueryable<SourceOrigin> PrimeQuery(OpsDbContext db) => db.SourceOrigins.AsNoTracking();

    /// <summary>The sender's activity, its last sighting moved forward; marked for the next save when that moved or <paramref name="counted"/> changed its minutes.</summary>
    private Activity Touch(string source, string origin, string kind, DateTimeOffset at, bool counted = false)
    {
        if (!_activity.TryGetValue((source, origin), out var activity))
        {
            // Senders choose their names; past the limit a new one joins the shared "other" row instead of growing the map.
            if (_activity.Count >= _options.CurrentValue.MaxTracked) (source, origin) = (OtherSenders, OtherSenders);
            if (!_activity.TryGetValue((source, origin), out activity))
                _activity[(source, origin)] = activity = new Activity(kind);
        }
        var moved = at > activity.LastSeenAt;
        if (moved) activity.LastSeenAt = at;
        if (moved || counted) _unsaved.Add((source, origin));
        return activity;
    }

    private void Count(string source, string origin, string kind, DateTimeOffset at, int count)
    {
        var activity = Touch(source, origin, kind, at, counted: true);
        var minute = Minute(at);
        activity.PerMinute[minute] = activity.PerMinute.GetValueOrDefault(minute) + count;
        var expired = Minute(_clock.GetUtcNow()) - 60;
        while (activity.PerMinute.Count > 0 && activity.PerMinute.First().Key <= expired) activity.PerMinute.Remove(activity.PerMinute.First().Key);
    }

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeMilliseconds() / 60_000;
}
