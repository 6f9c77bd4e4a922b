namespace OpsConsole.Features.Embed;

/// <summary>
/// What a token made on the panels page opens: one panel route with its filters (family, severity, the rotation's panels).
/// Looks (theme, title, row limit, interval) stay free, so a wall can be restyled without a new token.
/// </summary>
public static class EmbedScope
{
    private static readonly string[] Filters = ["family", "severity", "panels"];

    /// <summary>The scope of a panel address: its path and its filters, in a fixed order.</summary>
    public static string Of(string path, Func<string, string?> query) =>
        path.TrimEnd('/') + "?" + string.Join("&", Filters.Select(f => $"{f}={query(f) ?? ""}"));

    public static string Of(HttpRequest request) => Of(request.Path.Value ?? "", name => request.Query[name].FirstOrDefault());

    public static string Of(Uri url)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(url.Query);
        return Of(url.AbsolutePath, name => query.TryGetValue(name, out var value) ? value.FirstOrDefault() : null);
    }
}
