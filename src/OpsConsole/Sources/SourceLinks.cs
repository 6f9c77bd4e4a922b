using OpsConsole.Features.Runbooks;

namespace OpsConsole.Sources;

/// <summary>
/// Where to look at an instance in its source system itself: a console page (<see cref="Url"/>) or a command to
/// run (<see cref="Command"/>, every part quoted as one shell word).
/// </summary>
public sealed record SourceLink(string Label, string? Url, string? Command)
{
    public static SourceLink Page(string label, string url) => new(label, url, null);

    public static SourceLink Run(string label, params string[] words) =>
        new(label, null, string.Join(' ', words.Select(RunbookCommandBlock.PosixQuote)));

    /// <summary><paramref name="baseUrl"/> without its trailing slash, then each segment URL-encoded.</summary>
    public static string Under(string baseUrl, params string[] segments) =>
        baseUrl.TrimEnd('/') + string.Concat(segments.Select(s => "/" + Uri.EscapeDataString(s)));
}

/// <summary>
/// The base URLs of the source systems' own consoles (<c>SourceLinks:…</c>); a system without one gets its
/// command only, or no link.
/// </summary>
public sealed class SourceLinkOptions
{
    public const string SectionName = "SourceLinks";

    /// <summary>The OpenStack dashboard, e.g. <c>https://horizon.example.org/dashboard</c>.</summary>
    public string? Horizon { get; set; }

    /// <summary>The MAAS web UI root, e.g. <c>http://maas.example.org:5240/MAAS</c>.</summary>
    public string? Maas { get; set; }

    /// <summary>The Azure portal (another one for sovereign clouds).</summary>
    public string? AzurePortal { get; set; } = "https://portal.azure.com";

    /// <summary>Whether a configured base URL is one a link may point at (http or https, absolute).</summary>
    public static bool Usable(string? baseUrl) =>
        Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}
