namespace OpsConsole.Infrastructure;

/// <summary>
/// Which origins are the console's own, and what its public address is. Browsers send <c>Origin</c> on
/// WebSockets and cross-site writes, so a page on another site must not open a Blazor circuit or change state
/// here; the request's own host counts as an origin only because <c>AllowedHosts</c> (host filtering) vets it.
/// </summary>
public sealed class ConsoleOrigins(IConfiguration configuration)
{
    public const string AllowedOriginsKey = "OpsConsole:AllowedOrigins";
    public const string PublicBaseUrlKey = "OpsConsole:PublicBaseUrl";

    private readonly HashSet<string> _configured = new(
        configuration.GetSection(AllowedOriginsKey).Get<string[]>()?.Select(Normalise).OfType<string>() ?? [],
        StringComparer.OrdinalIgnoreCase);

    private readonly string? _publicBaseUrl = configuration[PublicBaseUrlKey] is { Length: > 0 } url ? url.TrimEnd('/') : null;

    /// <summary>True when AllowedHosts names hosts (not "*"), so a request's Host header has been checked.</summary>
    private readonly bool _hostsFiltered = configuration["AllowedHosts"] is { Length: > 0 } hosts && hosts.Trim() != "*";

    private readonly string _listenUrl = (configuration["Urls"]?.Split(';')[0] ?? "http://localhost:5080").TrimEnd('/');

    public bool IsAllowed(HttpRequest request, string origin)
    {
        if (Normalise(origin) is not { } normalised) return false;
        return _configured.Contains(normalised)
               || (_publicBaseUrl is not null && string.Equals(Normalise(_publicBaseUrl), normalised, StringComparison.OrdinalIgnoreCase))
               || string.Equals($"{request.Scheme}://{request.Host}", normalised, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The address for absolute links: OpsConsole:PublicBaseUrl, else this request's host when AllowedHosts has
    /// vetted it, else the configured listen address — never a Host header nobody checked.
    /// </summary>
    public string BaseUrl(HttpRequest request) =>
        _publicBaseUrl ?? (_hostsFiltered ? $"{request.Scheme}://{request.Host}{request.PathBase}".TrimEnd('/') : _listenUrl);

    /// <summary>The address for links made outside any request (notifications): OpsConsole:PublicBaseUrl, else the listen address.</summary>
    public string BackgroundBaseUrl => _publicBaseUrl ?? _listenUrl;

    private static string? Normalise(string value) =>
        Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? $"{uri.Scheme}://{uri.Authority}"
            : null;
}
