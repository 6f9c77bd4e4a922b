using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using OpsConsole.Features.ApiKeys;
using OpsConsole.Features.Auth;

namespace OpsConsole.Features.Ingestion;

/// <summary>Authenticates API callers by <c>X-Api-Key</c> or <c>Authorization: Bearer</c>; refuses with 401 problem details.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessKeyStore keys,
    ClientThrottle throttle,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers["X-Api-Key"].FirstOrDefault();
        if (presented is null && Request.Headers.Authorization.FirstOrDefault() is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            presented = authorization["Bearer ".Length..].Trim();

        if (presented is null) return AuthenticateResult.NoResult();
        var client = Context.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(client)) return AuthenticateResult.Fail(TooManyFailures);
        if (keys.Find(presented) is not { } key)
        {
            throttle.Fail(client);
            return AuthenticateResult.Fail("The API key is not valid.");
        }
        await keys.TouchAsync(key, Context.RequestAborted);

        // Keys carry scopes and no role: what a key may do is exactly what its scopes say.
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, $"key:{key.Name}"),
            .. key.Scopes.Select(s => new Claim(AccessRequirementHandler.ScopeClaim, s))], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    private const string TooManyFailures = "Too many wrong keys from this client; try again in a minute.";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (result.Failure?.Message == TooManyFailures)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            Response.Headers.RetryAfter = ((int)ClientThrottle.Window.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await problems.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many wrong keys", Detail = TooManyFailures },
            });
            return;
        }
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "API key required",
                Detail = result.Failure is not null
                    ? "The API key is not valid. Send a configured key in X-Api-Key or Authorization: Bearer."
                    : "Send an API key in the X-Api-Key header or as Authorization: Bearer <key>.",
            },
        });
    }
}
