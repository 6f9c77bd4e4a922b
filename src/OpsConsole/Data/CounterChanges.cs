using OpsConsole.Features.Records;

namespace OpsConsole.Data;

/// <summary>
/// Changes to the counter tables (<see cref="CategoryCount"/>, <see cref="FailureHour"/>) within one transaction,
/// summed so each store writes one row per category and hour.
/// </summary>
internal sealed class CounterChanges
{
    private readonly Dictionary<string, (long Records, long Failing)> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<long, long> _failureHours = [];

    /// <summary>An instance started (+1) or stopped (-1) failing in a category.</summary>
    public void AddFailing(string category, int delta)
    {
        var (records, failing) = _categories.GetValueOrDefault(category);
        _categories[category] = (records, failing + delta);
    }

    public void Add(string category, bool failure, DateTimeOffset receivedAt, int delta)
    {
        var (records, failing) = _categories.GetValueOrDefault(category);
        _categories[category] = (records + delta, failing);
        if (!failure) return;
        var hour = receivedAt.ToUnixTimeMilliseconds() / 3_600_000;
        _failureHours[hour] = _failureHours.GetValueOrDefault(hour) + delta;
    }

    /// <summary>
    /// A stored record was reclassified from (<paramref name="category"/>, <paramref name="severity"/>, <paramref name="failure"/>)
    /// to what <paramref name="record"/> now says; true when that changes what its instance shows (the counters move with it).
    /// </summary>
    public bool Reclassified(string category, string severity, bool failure, DateTimeOffset receivedAt, EventRecord record)
    {
        if (category == record.Category && severity == record.Severity && failure == record.IsFailure) return false;
        Add(category, failure, receivedAt, -1);
        Add(record.Category, record.IsFailure, receivedAt, 1);
        return true;
    }

    public IEnumerable<(string Category, long Records, long Failing)> Categories =>
        _categories.Where(c => c.Value != (0, 0)).Select(c => (c.Key, c.Value.Records, c.Value.Failing));

    public IEnumerable<(long Hour, long Failures)> FailureHours => _failureHours.Where(h => h.Value != 0).Select(h => (h.Key, h.Value));
}
