using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Crash loops no single record states: one container exiting again and again within a window, or the burst
/// of failed starts a source defines for itself (its profile's <see cref="CrashLoopRule"/>). Keeps a sliding window of
/// recent failures per instance in memory (primed in the background at start-up from the records received within
/// the window, through the ReceivedAt index, so a restart loses nothing recent; instances quiet for longer than
/// the longest window are forgotten) and returns a <c>restart.crash-loop</c> record linked to the failures, unless the loop is
/// already on the timeline. Called by <see cref="CrashLoopWatcher"/> only, one batch at a time.
/// </summary>
public sealed class CrashLoopDetector(IDbContextFactory<OpsDbContext> databases, IOptionsMonitor<ClassificationOptions> options, TimeProvider clock)
{
    public const string RuleId = "pattern-crash-loop";
    public const string Category = "restart.crash-loop";

    /// <summary>Windows kept at most; past it the least recently touched go, down to <see cref="TrimmedTo"/>.</summary>
    internal const int MaxTrackedInstances = 100_000;

    /// <summary>What a trim leaves: a quarter below the bound, so the next trim (a pass over every window) is 25 k new instances away, not one batch.</summary>
    internal const int TrimmedTo = MaxTrackedInstances / 4 * 3;

    /// <summary>How often windows of quiet instances are swept out.</summary>
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, FailureWindow> _windows = new(StringComparer.Ordinal);
    private bool _primed;
    private DateTimeOffset _lastSweep = DateTimeOffset.MinValue;

    /// <summary>Instances with a window in memory.</summary>
    internal int TrackedInstances => _windows.Count;

    public async Task<IReadOnlyList<EventRecord>> DetectAsync(IReadOnlyList<EventRecord> written, string rulesetVersion, CancellationToken cancellationToken)
    {
        if (!_primed) await PrimeAsync(cancellationToken);
        var settings = options.CurrentValue;
        ExpireQuietInstances(settings.CrashLoopWindow);
        var found = new List<EventRecord>();
        // Each failure is judged by the window ending at its own time, in the source's time order: one batch holding
        // minutes of a sender's backlog finds the same loops as the same records sent one by one. Judged once per
        // batch at its newest failure, three quick exits followed by a late one showed no loop.
        foreach (var record in written.OrderBy(r => r.OccurredAt))
        {
            if (record.Category == Category)
            {
                Window(record.InstanceKey).NoteLoop(record.OccurredAt);
                continue;
            }
            if (!IsRestartFailure(record)) continue;
            var window = Window(record.InstanceKey);
            window.Add(record.OccurredAt, record.Id);
            if (LoopAt(record, window, settings, rulesetVersion) is { } loop) found.Add(loop);
        }
        if (_windows.Count > MaxTrackedInstances) Trim(settings.CrashLoopWindow);
        return found;
    }

    /// <summary>The loop record when the window ending at <paramref name="newest"/> holds enough failures and shows no loop yet.</summary>
    private static EventRecord? LoopAt(EventRecord newest, FailureWindow window, ClassificationOptions settings, string rulesetVersion)
    {
        var rule = SourceProfiles.For(newest.Source, newest.Kind).CrashLoop;
        var (length, threshold) = (rule.Window ?? settings.CrashLoopWindow, rule.Threshold ?? settings.CrashLoopExits);
        var from = Before(newest.OccurredAt, length);
        if (window.LoopShownWithin(from, newest.OccurredAt) || window.CountWithin(from, newest.OccurredAt) < threshold) return null;

        window.NoteLoop(newest.OccurredAt);
        var failures = window.Within(from, newest.OccurredAt);
        return DerivedRecord.Create(InstanceIdentity.Of(newest), Category, "critical", RuleId,
            $"{failures.Count} {rule.Noun} within {length.TotalSeconds:0} s (threshold {threshold})",
            $"Crash loop: {failures.Count} {rule.Noun} of this instance within {Describe(length)}",
            failures, newest.OccurredAt, rulesetVersion);
    }

    /// <summary>A failed restart as the record's source defines it (by default an exit that is not a clean or graceful stop).</summary>
    private static bool IsRestartFailure(EventRecord record) =>
        record.Format != DerivedRecord.Format && SourceProfiles.For(record.Source, record.Kind).CrashLoop.IsRestartFailure(record);

    private FailureWindow Window(string key)
    {
        if (!_windows.TryGetValue(key, out var window)) _windows[key] = window = new FailureWindow();
        window.TouchedAt = clock.GetUtcNow();
        return window;
    }

    /// <summary>Forgets instances nothing happened to for longer than the longest window (by the console's clock).</summary>
    private void ExpireQuietInstances(TimeSpan configuredWindow)
    {
        var now = clock.GetUtcNow();
        if (now - _lastSweep < SweepInterval) return;
        _lastSweep = now;
        var longest = SourceProfiles.All.Select(p => p.CrashLoop.Window ?? configuredWindow).Append(configuredWindow).Max();
        foreach (var key in _windows.Where(w => now - w.Value.TouchedAt > longest).Select(w => w.Key).ToList())
            _windows.Remove(key);
    }

    /// <summary>
    /// Loads the failures and loops received within the window before this process started; the watcher calls it at
    /// start-up, so no ingested batch waits for it.
    /// </summary>
    public async Task PrimeAsync(CancellationToken cancellationToken)
    {
        if (_primed) return;
        var since = clock.GetUtcNow() - options.CurrentValue.CrashLoopWindow;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var recent = await PrimeQuery(db, since).Select(Remembered).ToListAsync(cancellationToken);
        foreach (var r in recent.OrderBy(r => r.OccurredAt))
        {
            if (r.Category == Category) Window(r.InstanceKey).NoteLoop(r.OccurredAt);
            else if (IsRestartFailure(r)) Window(r.InstanceKey).Add(r.OccurredAt, r.Id);
        }
        _primed = true;
    }

    /// <summary>The columns priming reads: what the sources' crash-loop rules and the windows look at.</summary>
    private static readonly Expression<Func<EventRecord, EventRecord>> Remembered = r => new EventRecord
    {
        Id = r.Id, InstanceKey = r.InstanceKey, OccurredAt = r.OccurredAt, Category = r.Category, Source = r.Source, Kind = r.Kind,
        Entry = r.Entry, State = r.State, ExitCode = r.ExitCode, Format = r.Format, InstanceName = "", DedupeKey = "", RawJson = "",
    };

    /// <summary>
    /// The records received within the window that a crash-loop window remembers: a range of the ReceivedAt index, in one
    /// query whatever the number of sources. Each source's profile says what its failed restarts look like; the loops
    /// already shown are this detector's own. Sorted by the source's time in memory, since an ORDER BY would let SQLite
    /// walk the whole OccurredAt index instead.
    /// </summary>
    internal static IQueryable<EventRecord> PrimeQuery(OpsDbContext db, DateTimeOffset since) =>
        db.Records.AsNoTracking().Where(r => r.ReceivedAt >= since)
            .Where(AnyOf([r => r.Category == Category, .. SourceProfiles.All.Select(p => p.CrashLoop.Failure).Distinct()]));

    /// <summary>One predicate true when any of <paramref name="predicates"/> is, over one shared parameter, for SQL translation.</summary>
    private static Expression<Func<EventRecord, bool>> AnyOf(IReadOnlyList<Expression<Func<EventRecord, bool>>> predicates)
    {
        var record = predicates[0].Parameters[0];
        var body = predicates.Skip(1).Aggregate(predicates[0].Body, (any, next) =>
            Expression.OrElse(any, ReplacingExpressionVisitor.Replace(next.Parameters[0], record, next.Body)));
        return Expression.Lambda<Func<EventRecord, bool>>(body, record);
    }

    /// <summary>
    /// Forgets instances with nothing inside the window of the newest failure seen, then, while more are left than
    /// <see cref="TrimmedTo"/>, the least recently touched. Instances failing within the window can outnumber the bound
    /// (the records benchmark's reclassification row posts 50 new instances per request, back to back, for half an hour):
    /// kept, they were a heap of small objects for each full collection to mark, and the trim's pass over all of them ran
    /// after every batch.
    /// </summary>
    private void Trim(TimeSpan window)
    {
        var newest = _windows.Values.Max(w => w.Newest);
        foreach (var key in _windows.Where(w => w.Value.Newest < Before(newest, window)).Select(w => w.Key).ToList())
            _windows.Remove(key);
        var excess = _windows.Count - TrimmedTo;
        if (excess <= 0) return;
        foreach (var key in _windows.OrderBy(w => w.Value.TouchedAt).Take(excess).Select(w => w.Key).ToList())
            _windows.Remove(key);
    }

    /// <summary>
    /// The start of a window ending at <paramref name="at"/>; a time near year 0001 (stored before ingestion
    /// refused such times) must not throw and take the whole batch's detection with it.
    /// </summary>
    private static DateTimeOffset Before(DateTimeOffset at, TimeSpan window) =>
        at.UtcTicks - DateTimeOffset.MinValue.UtcTicks < window.Ticks ? DateTimeOffset.MinValue : at - window;

    private static string Describe(TimeSpan window) =>
        window.TotalMinutes >= 1 ? $"{window.TotalMinutes:0} min" : $"{window.TotalSeconds:0} s";

    /// <summary>Recent failures of one instance (sorted by the source's time) and when a loop was last shown.</summary>
    private sealed class FailureWindow
    {
        private const int MaxFailures = 64;
        private readonly List<(DateTimeOffset At, long Id)> _failures = [];
        private DateTimeOffset? _lastLoop;

        /// <summary>When this instance last had a failure or loop noted, by the console's clock.</summary>
        public DateTimeOffset TouchedAt { get; set; }

        public DateTimeOffset Newest => _failures.Count > 0 ? _failures[^1].At : _lastLoop ?? DateTimeOffset.MinValue;

        public void Add(DateTimeOffset at, long id)
        {
            // Priming and the first batch can both bring the same record. A loop, not Exists: a lambda capturing the id
            // was an allocation per failed exit ingested.
            foreach (var failure in _failures)
                if (failure.Id == id) return;
            var index = _failures.Count;
            while (index > 0 && _failures[index - 1].At > at) index--;
            _failures.Insert(index, (at, id));
            if (_failures.Count > MaxFailures) _failures.RemoveAt(0);
        }

        public void NoteLoop(DateTimeOffset at)
        {
            if (_lastLoop is null || at > _lastLoop) _lastLoop = at;
        }

        public bool LoopShownWithin(DateTimeOffset from, DateTimeOffset to) => _lastLoop is { } loop && loop >= from && loop <= to;

        /// <summary>Failures within the range, counted without a list: most failures are checked and make no loop.</summary>
        public int CountWithin(DateTimeOffset from, DateTimeOffset to)
        {
            var count = 0;
            foreach (var (at, _) in _failures) if (at >= from && at <= to) count++;
            return count;
        }

        public List<long> Within(DateTimeOffset from, DateTimeOffset to) =>
            _failures.Where(f => f.At >= from && f.At <= to).Select(f => f.Id).ToList();
    }
}
