namespace OpsConsole.Features.Auth;

/// <summary>
/// Headers on every response: no MIME sniffing, no referrer to other sites, and a Content-Security-Policy that keeps
/// scripts, styles and connections on this origin. The embed feature decides <c>frame-ancestors</c>; this adds the rest
/// to whatever it set.
/// </summary>
public static class SecurityHeaders
{
    // MudBlazor sets inline styles; Blazor's import map is an inline script. Nothing is loaded from other origins.
    public const string Policy = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
                                 "img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; form-action 'self'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            var framing = headers.ContentSecurityPolicy.ToString();
            headers.ContentSecurityPolicy = framing.Length == 0 ? Policy : $"{Policy}; {framing}";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
