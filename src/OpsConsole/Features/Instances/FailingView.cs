namespace OpsConsole.Features.Instances;

/// <summary>
/// What the failing list shows, as the URL carries it (<c>?family=exit&amp;range=1h&amp;q=api</c>), so a shared
/// link opens the same view. A relative range stays relative ("last hour") until a query is run; an absolute one
/// (<c>?from=2026-11-20T08:00Z&amp;to=2026-11-20T12:00Z</c>, UTC) is fixed and replaces it.
/// </summary>
public sealed record FailingView(
    string? Kind = null, string? Family = null, string? Category = null, string? Severity = null, string? Source = null,
    string? Range = null, string? Search = null, bool IncludeMuted = false, DateTimeOffset? RangeFrom = null, DateTimeOffset? RangeTo = null)
{
    /// <summary>How an absolute bound is written in the URL and read back by the date-time inputs (UTC, to the minute).</summary>
    public const string TimeFormat = "yyyy-MM-dd'T'HH:mm";

    public static IReadOnlyList<(string Value, string Label, TimeSpan Span)> Ranges { get; } =
    [
        ("15m", "Last 15 minutes", TimeSpan.FromMinutes(15)),
        ("1h", "Last hour", TimeSpan.FromHours(1)),
        ("6h", "Last 6 hours", TimeSpan.FromHours(6)),
        ("24h", "Last 24 hours", TimeSpan.FromDays(1)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
    ];

    /// <summary>
    /// The view the URL asks for. Values that mean nothing (an unknown range, a time that does not parse, a "from"
    /// after its "to") are dropped, so a mistyped link opens the default view instead of failing.
    /// </summary>
    public static FailingView From(string? kind, string? family, string? category, string? severity, string? source,
        string? range, string? search, bool includeMuted, string? from = null, string? to = null)
    {
        var (start, end) = (Time(from), Time(to));
        if (start > end) (start, end) = (null, null);
        var relative = start is null && end is null && Ranges.Any(r => r.Value == range) ? range : null;
        return new(Blank(kind), Blank(family), Blank(category), Blank(severity), Blank(source), relative, Blank(search), includeMuted, start, end);
    }

    public FailingFilter ToFilter(DateTimeOffset now) => new(Kind, Source, Family, Category, Severity, Search,
        RangeFrom ?? (Ranges.FirstOrDefault(r => r.Value == Range) is { Value: not null } match ? now - match.Span : null), IncludeMuted, RangeTo);

    /// <summary>A UTC time from the URL or a date-time input (ISO 8601; no offset means UTC), or null.</summary>
    public static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    /// <summary>A bound as the URL and the inputs write it.</summary>
    public static string? Text(DateTimeOffset? time) => time?.UtcDateTime.ToString(TimeFormat, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The query-string values; empty filters are removed from the URL.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["kind"] = Kind,
        ["family"] = Family,
        ["category"] = Category,
        ["severity"] = Severity,
        ["source"] = Source,
        ["range"] = Range,
        ["from"] = Text(RangeFrom),
        ["to"] = Text(RangeTo),
        ["q"] = Search,
        ["muted"] = IncludeMuted ? true : null,
    };

    public bool IsFiltered => this != new FailingView();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
