using System.Collections.Concurrent;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Records;
using OpsConsole.Features.SourceHealth;

namespace OpsConsole.Features.Embed;

/// <summary>Counts of failing instances by family and severity, with the 24-hour trend.</summary>
public sealed record PanelSummary(IReadOnlyDictionary<string, Dictionary<string, int>> ByFamily, int Total,
    IReadOnlyList<(DateTimeOffset Hour, int Failures)> Trend);

/// <summary>An instance as its panel shows it: state and its newest records.</summary>
public sealed record PanelInstance(InstanceState? State, IReadOnlyList<RecordDto> Records);

/// <summary>
/// What panels show, computed once per change and shared by every open panel: fifty wall screens showing the
/// same failing list cost one query, not fifty. Panels listen to <see cref="Changed"/>, raised at most once a
/// second after a commit (from any node), then read the (recomputed-once) data.
/// </summary>
public sealed class PanelData : IDisposable
{
    private static readonly TimeSpan Coalesce = TimeSpan.FromSeconds(1);

    private readonly InstanceQueries _instances;
    private readonly RecordQueries _records;
    private readonly SourceActivity _sources;
    private readonly FailureTrend _trend;
    private readonly TimeProvider _clock;
    private readonly LiveRefresh _live;
    private readonly ITimer _tick;
    private readonly ConcurrentDictionary<string, Lazy<Task<object>>> _cache = new();

    public PanelData(ICommitFeed feed, InstanceQueries instances, RecordQueries records, SourceActivity sources, FailureTrend trend, TimeProvider clock)
    {
        _instances = instances;
        _records = records;
        _sources = sources;
        _trend = trend;
        _clock = clock;
        // Drop every cached view at most once a second; the first panel to ask recomputes it, the others share that result.
        _live = new LiveRefresh(feed, _ => true, () =>
        {
            Invalidate();
            return Task.CompletedTask;
        }, Coalesce);
        // Relative times and silence change without new records, so panels also re-read on a clock.
        _tick = clock.CreateTimer(_ => Invalidate(), null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
    }

    /// <summary>Raised (on a pool thread) when panels should re-read; at most once per second.</summary>
    public event Action? Changed;

    /// <summary>Worst first, then most recent: a wall shows what matters most at the top.</summary>
    public async Task<FailingPage> FailingAsync(FailingView view, int limit) => (FailingPage)await GetAsync($"failing|{view}|{limit}",
        async () => await _instances.FailingAsync(view.ToFilter(_clock.GetUtcNow()), FailingSort.Severity, descending: true, offset: 0, limit,
            CancellationToken.None));

    public async Task<PanelSummary> SummaryAsync(FailingView view) => (PanelSummary)await GetAsync($"summary|{view}", async () =>
    {
        var page = await _instances.FailingAsync(view.ToFilter(_clock.GetUtcNow()), FailingSort.LastFailure, descending: true, 0, 1, CancellationToken.None);
        var bySeverity = await _instances.FailingByFamilyAndSeverityAsync(view.ToFilter(_clock.GetUtcNow()), CancellationToken.None);
        return new PanelSummary(bySeverity, page.Total, _trend.Last24Hours());
    });

    public async Task<PanelInstance> InstanceAsync(string key, int limit) => (PanelInstance)await GetAsync($"instance|{key}|{limit}", async () =>
        new PanelInstance(await _instances.FindAsync(key, CancellationToken.None), await _records.TimelineAsync(key, limit, CancellationToken.None)));

    /// <summary>In memory already; nothing to share.</summary>
    public IReadOnlyList<SourceSummary> Sources() => _sources.Summaries();

    private Task<object> GetAsync(string key, Func<Task<object>> load)
    {
        var entry = _cache.GetOrAdd(key, _ => new Lazy<Task<object>>(load));
        if (entry.Value.IsFaulted) _cache.TryRemove(new KeyValuePair<string, Lazy<Task<object>>>(key, entry));
        return entry.Value;
    }

    private void Invalidate()
    {
        _cache.Clear();
        Changed?.Invoke();
    }

    public void Dispose()
    {
        _live.Dispose();
        _tick.Dispose();
    }
}
