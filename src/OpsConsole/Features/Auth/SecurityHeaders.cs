using System.Security.Cryptography;

namespace OpsConsole.Features.Auth;

/// <summary>
/// Headers on every response: no MIME sniffing, no referrer to other sites, and a Content-Security-Policy that keeps
/// scripts, styles and connections on this origin. The embed feature decides <c>frame-ancestors</c>; this adds the rest
/// to whatever it set.
/// </summary>
public static class SecurityHeaders
{
    private static readonly object NonceKey = new();

    /// <summary>
    /// The policy for one response. Scripts run only from this origin or with this response's nonce (Blazor's import map is
    /// the one inline script), so an injected inline script does not run. MudBlazor sets inline styles, which stay allowed.
    /// </summary>
    public static string Policy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self' data:; connect-src 'self' ws: wss:; object-src 'none'; base-uri 'self'; form-action 'self'";

    /// <summary>This request's script nonce, for the page's own inline scripts.</summary>
    public static string Nonce(HttpContext context)
    {
        if (context.Items[NonceKey] is string nonce) return nonce;
        nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        context.Items[NonceKey] = nonce;
        return nonce;
    }

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "same-origin";
            var framing = headers.ContentSecurityPolicy.ToString();
            var policy = Policy(Nonce(context));
            headers.ContentSecurityPolicy = framing.Length == 0 ? policy : $"{policy}; {framing}";
            return Task.CompletedTask;
        });
        return next(context);
    });
}
