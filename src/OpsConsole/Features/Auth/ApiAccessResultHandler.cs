using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace OpsConsole.Features.Auth;

/// <summary>
/// API refusals as problem details: a caller who is known but lacks the scope gets a 403 that names the missing
/// scope; pages keep the usual sign-in redirect.
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
        await _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
