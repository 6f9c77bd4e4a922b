namespace OpsConsole.Features.Instances;

/// <summary>
/// What the failing list shows, as the URL carries it (<c>?family=exit&amp;range=1h&amp;q=api</c>), so a shared
/// link opens the same view. The time range stays relative ("last hour") until a query is run.
/// </summary>
public sealed record FailingView(
    string? Kind = null, string? Family = null, string? Category = null, string? Severity = null, string? Source = null,
    string? Range = null, string? Search = null, bool IncludeMuted = false)
{
    public static IReadOnlyList<(string Value, string Label, TimeSpan Span)> Ranges { get; } =
    [
        ("15m", "Last 15 minutes", TimeSpan.FromMinutes(15)),
        ("1h", "Last hour", TimeSpan.FromHours(1)),
        ("6h", "Last 6 hours", TimeSpan.FromHours(6)),
        ("24h", "Last 24 hours", TimeSpan.FromDays(1)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
    ];

    public static FailingView From(string? kind, string? family, string? category, string? severity, string? source,
        string? range, string? search, bool includeMuted) =>
        new(Blank(kind), Blank(family), Blank(category), Blank(severity), Blank(source),
            Ranges.Any(r => r.Value == range) ? range : null, Blank(search), includeMuted);

    public FailingFilter ToFilter(DateTimeOffset now) => new(Kind, Source, Family, Category, Severity, Search,
        Ranges.FirstOrDefault(r => r.Value == Range) is { Value: not null } match ? now - match.Span : null, IncludeMuted);

    /// <summary>The query-string values; empty filters are removed from the URL.</summary>
    public IReadOnlyDictionary<string, object?> ToQuery() => new Dictionary<string, object?>
    {
        ["kind"] = Kind,
        ["family"] = Family,
        ["category"] = Category,
        ["severity"] = Severity,
        ["source"] = Source,
        ["range"] = Range,
        ["q"] = Search,
        ["muted"] = IncludeMuted ? true : null,
    };

    public bool IsFiltered => this != new FailingView();

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
