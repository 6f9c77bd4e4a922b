using Microsoft.Extensions.Options;
using OpsConsole.Features.Auth;

namespace OpsConsole.Features.Embed;

/// <summary>
/// Framing and access for panels: /embed routes may be framed by <c>Embed:FrameAncestors</c> and need a valid
/// <c>?token=</c> (unless <c>Embed:AllowAnonymous</c>); every other response may only be framed by the console itself.
/// </summary>
public static class EmbedAccess
{
    public static bool IsEmbedPath(PathString path) => path.StartsWithSegments("/embed");

    public static IApplicationBuilder UseEmbedAccess(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var options = context.RequestServices.GetRequiredService<IOptions<EmbedOptions>>().Value;
        var embed = IsEmbedPath(context.Request.Path);
        context.Response.Headers.ContentSecurityPolicy = $"frame-ancestors {(embed ? options.FrameAncestors : "'self'")}";
        var throttle = context.RequestServices.GetRequiredService<ClientThrottle>();
        if (embed && !options.AllowAnonymous && throttle.IsBlocked(context.Connection.RemoteIpAddress))
        {
            await Results.Problem("Too many wrong tokens from this client; try again in a minute.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many wrong tokens").ExecuteAsync(context);
            return;
        }
        if (embed && !options.AllowAnonymous
            && !context.RequestServices.GetRequiredService<EmbedTokenStore>().Allows(context.Request.Query["token"].ToString(), EmbedScope.Of(context.Request)))
        {
            throttle.Fail(context.Connection.RemoteIpAddress);
            // A wall screen asks for HTML: it gets a message readable across the room, in the panel's theme.
            if (context.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(TokenPage(context.Request.Query["theme"].ToString() == "light",
                    context.Request.Query.ContainsKey("token")));
                return;
            }
            await Results.Problem("This panel needs a valid read-only token made for it: add ?token=… (make one on the Embed panels page).",
                statusCode: StatusCodes.Status401Unauthorized, title: "Embed token required",
                extensions: new Dictionary<string, object?> { ["field"] = "token" }).ExecuteAsync(context);
            return;
        }
        await next(context);
    });

    private static string TokenPage(bool light, bool tokenGiven)
    {
        var (background, text) = light ? ("#ffffff", "#1b1d24") : ("#1b1d24", "#e8e8ee");
        var what = tokenGiven ? "This panel's token is not valid for it (revoked, mistyped or made for another panel)." : "This panel needs a read-only token.";
        return $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>Panel token needed · OpsConsole</title>
            <style>html,body{margin:0;height:100%}body{display:flex;align-items:center;justify-content:center;background:{{background}};color:{{text}};
            font:clamp(18px,2.4vw,64px)/1.35 system-ui,"Segoe UI",Roboto,sans-serif;text-align:center}main{max-width:80vw}
            h1{font-size:1.6em;margin:0 0 .5em}p{margin:.3em 0}</style></head>
            <body><main class="token-needed"><h1>No access to this panel</h1><p>{{what}}</p>
            <p>Make a token on the console's Embed panels page and add <b>?token=…</b> to this panel's address.</p></main></body></html>
            """;
    }
}
