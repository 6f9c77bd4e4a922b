using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OpsConsole.Features.Auth;

/// <summary>
/// API refusals as problem details: a caller who is known but lacks the scope gets a 403 that names the missing
/// scope, an unknown caller a 401; pages keep the usual sign-in redirect.
/// </summary>
internal sealed class ApiAccessResultHandler(IProblemDetailsService problems) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Forbidden && context.Request.Path.StartsWithSegments("/api"))
        {
            var missing = authorizeResult.AuthorizationFailure?.FailedRequirements.OfType<AccessRequirement>().FirstOrDefault();
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Not allowed",
                    Detail = missing is null ? "This caller may not do that."
                        : $"This needs a key with the '{missing.Scope}' scope{(missing.Role is null ? "" : $" or a user with the {missing.Role} role")}.",
                    Extensions = { ["missingScope"] = missing?.Scope, ["requiredRole"] = missing?.Role },
                },
            });
            return;
        }
        if (authorizeResult.Challenged && context.Request.Path.StartsWithSegments("/api"))
        {
            // Each of the policy's schemes challenges; the key scheme answers with its own problem. The cookie scheme
            // stays silent on the API, so a policy without the key scheme is answered here.
            await _default.HandleAsync(next, context, policy, authorizeResult);
            if (context.Response.HasStarted) return;
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = { Status = StatusCodes.Status401Unauthorized, Title = "Sign-in required", Detail = "Sign in to the console to do that." },
            });
            return;
        }
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
