using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Crash loops no single record states: one container exiting again and again within a window, or the burst
/// of failed starts a source defines for itself (its profile's <see cref="CrashLoopRule"/>). Keeps a sliding window of
/// recent failures per instance in memory (primed from the store on first use, so a restart loses nothing
/// recent) and returns a <c>restart.crash-loop</c> record linked to the failures, unless the loop is
/// already on the timeline. Called by <see cref="CrashLoopWatcher"/> only, one batch at a time.
/// </summary>
public sealed class CrashLoopDetector(IDbContextFactory<OpsDbContext> databases, IOptionsMonitor<ClassificationOptions> options, TimeProvider clock)
{
    public const string RuleId = "pattern-crash-loop";
    public const string Category = "restart.crash-loop";

    private const int MaxTrackedInstances = 100_000;

    private readonly Dictionary<string, FailureWindow> _windows = new(StringComparer.Ordinal);
    private bool _primed;

    public async Task<IReadOnlyList<EventRecord>> DetectAsync(IReadOnlyList<EventRecord> written, string rulesetVersion, CancellationToken cancellationToken)
    {
        if (!_primed) await PrimeAsync(cancellationToken);
        var settings = options.CurrentValue;
        var touched = new Dictionary<string, EventRecord>(StringComparer.Ordinal);
        foreach (var record in written.OrderBy(r => r.OccurredAt))
        {
            if (record.Category == Category)
            {
                Window(record.InstanceKey).NoteLoop(record.OccurredAt);
            }
            else if (IsRestartFailure(record))
            {
                Window(record.InstanceKey).Add(record.OccurredAt, record.Id);
                touched[record.InstanceKey] = record;
            }
        }

        var found = new List<EventRecord>();
        foreach (var (key, newest) in touched)
        {
            var rule = SourceProfiles.For(newest.Source, newest.Kind).CrashLoop;
            var (window, threshold) = (rule.Window ?? settings.CrashLoopWindow, rule.Threshold ?? settings.CrashLoopExits);
            var failures = _windows[key].Within(Before(newest.OccurredAt, window), newest.OccurredAt, out var loopAlreadyShown);
            if (loopAlreadyShown || failures.Count < threshold) continue;

            _windows[key].NoteLoop(newest.OccurredAt);
            var what = rule.Noun;
            found.Add(DerivedRecord.Create(InstanceIdentity.Of(newest), Category, "critical", RuleId,
                $"{failures.Count} {what} within {window.TotalSeconds:0} s (threshold {threshold})",
                $"Crash loop: {failures.Count} {what} of this instance within {Describe(window)}",
                failures, newest.OccurredAt, rulesetVersion));
        }
        if (_windows.Count > MaxTrackedInstances) Trim(settings.CrashLoopWindow);
        return found;
    }

    /// <summary>A failed restart as the record's source defines it (by default an exit that is not a clean or graceful stop).</summary>
    private static bool IsRestartFailure(EventRecord record) =>
        record.Format != DerivedRecord.Format && SourceProfiles.For(record.Source, record.Kind).CrashLoop.IsRestartFailure(record);

    private FailureWindow Window(string key)
    {
        if (!_windows.TryGetValue(key, out var window)) _windows[key] = window = new FailureWindow();
        return window;
    }

    /// <summary>Loads the failures and loops received within the window before this process started.</summary>
    private async Task PrimeAsync(CancellationToken cancellationToken)
    {
        var since = clock.GetUtcNow() - options.CurrentValue.CrashLoopWindow;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var received = db.Records.AsNoTracking().Where(r => r.ReceivedAt >= since);
        // Each source's profile says what its failed restarts look like; the loops already shown are this detector's own.
        var recent = await received.Where(r => r.Category == Category).Select(Remembered).ToListAsync(cancellationToken);
        foreach (var failure in SourceProfiles.All.Select(p => p.CrashLoop.Failure).Distinct())
            recent.AddRange(await received.Where(failure).Select(Remembered).ToListAsync(cancellationToken));
        foreach (var r in recent.DistinctBy(r => r.Id).OrderBy(r => r.OccurredAt))
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

    /// <summary>Forgets instances with nothing inside the window of the newest failure seen.</summary>
    private void Trim(TimeSpan window)
    {
        var newest = _windows.Values.Max(w => w.Newest);
        foreach (var key in _windows.Where(w => w.Value.Newest < Before(newest, window)).Select(w => w.Key).ToList())
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

        public DateTimeOffset Newest => _failures.Count > 0 ? _failures[^1].At : _lastLoop ?? DateTimeOffset.MinValue;

        public void Add(DateTimeOffset at, long id)
        {
            // Priming and the first batch can both bring the same record.
            if (_failures.Exists(f => f.Id == id)) return;
            var index = _failures.Count;
            while (index > 0 && _failures[index - 1].At > at) index--;
            _failures.Insert(index, (at, id));
            if (_failures.Count > MaxFailures) _failures.RemoveAt(0);
        }

        public void NoteLoop(DateTimeOffset at)
        {
            if (_lastLoop is null || at > _lastLoop) _lastLoop = at;
        }

        public List<long> Within(DateTimeOffset from, DateTimeOffset to, out bool loopAlreadyShown)
        {
            loopAlreadyShown = _lastLoop is { } loop && loop >= from && loop <= to;
            return _failures.Where(f => f.At >= from && f.At <= to).Select(f => f.Id).ToList();
        }
    }
}
