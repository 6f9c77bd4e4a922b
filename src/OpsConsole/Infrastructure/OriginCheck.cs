namespace OpsConsole.Infrastructure;

/// <summary>
/// Refuses, with a 403 problem, a Blazor hub request (negotiate or WebSocket) or a state-changing request
/// whose <c>Origin</c> is not one of <see cref="ConsoleOrigins"/>. Requests without an Origin (curl, senders,
/// scripts) are not browsers acting for someone else and pass.
/// </summary>
public static class OriginCheck
{
    public static IApplicationBuilder UseOriginCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        var guarded = request.Path.StartsWithSegments("/_blazor")
                      || HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method)
                      || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method);
        if (guarded && request.Headers.Origin is [{ Length: > 0 } origin]
            && !context.RequestServices.GetRequiredService<ConsoleOrigins>().IsAllowed(request, origin))
        {
            await Results.Problem($"Origin '{origin}' is not one of this console's origins (OpsConsole:AllowedOrigins).",
                statusCode: StatusCodes.Status403Forbidden, title: "Cross-origin request refused").ExecuteAsync(context);
            return;
        }
        await next(context);
    });
}
