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
            await Results.Problem("This panel needs a valid read-only token made for it: add ?token=… (make one on the Embed panels page).",
                statusCode: StatusCodes.Status401Unauthorized, title: "Embed token required",
                extensions: new Dictionary<string, object?> { ["field"] = "token" }).ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}
