using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Audit;

namespace OpsConsole.Features.Auth;

/// <summary>The sign-in, sign-out and first-admin form posts (plain forms with antiforgery tokens, rate-limited).</summary>
public static class AccountEndpoints
{
    public const string SignInPath = "/account/signin";
    public const string RateLimitPolicy = "signin";

    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/account").AllowAnonymous().ExcludeFromDescription();
        group.MapPost("/signin", SignInAsync).RequireRateLimiting(RateLimitPolicy);
        group.MapPost("/signout", SignOutAsync);
        group.MapPost("/setup", SetupAsync).RequireRateLimiting(RateLimitPolicy);
        group.MapGet("/signin/oidc", (string? returnUrl, IOptions<AuthOptions> options) => options.Value.Oidc.Enabled
            ? Results.Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl(returnUrl) }, [OpenIdConnectDefaults.AuthenticationScheme])
            : Results.NotFound());
        return routes;
    }

    private static async Task<IResult> SignInAsync([FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext http, SignInManager<IdentityUser> signIn, ClientThrottle throttle, AuditLog audit)
    {
        var client = http.Connection.RemoteIpAddress;
        var actor = new Actor(email?.Trim() is { Length: > 0 } name ? name : "(blank)", client?.ToString());
        if (throttle.IsBlocked(client)) return Failed("Too many failed sign-ins from here; wait a minute.");
        var result = string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)
            ? Microsoft.AspNetCore.Identity.SignInResult.Failed
            : await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: false, lockoutOnFailure: true);
        if (result.Succeeded)
        {
            await audit.WriteAsync(actor, AuditActions.SignIn, actor.Name, "password");
            return Results.LocalRedirect(SafeReturnUrl(returnUrl));
        }
        throttle.Fail(client);
        await audit.WriteAsync(actor, AuditActions.SignInFailed, actor.Name, result.IsLockedOut ? "locked out" : "wrong email or password");
        return Failed(result.IsLockedOut ? "This account is locked after repeated failures; try again later." : "Wrong email or password.");

        IResult Failed(string error) =>
            Results.LocalRedirect($"{SignInPath}?error={Uri.EscapeDataString(error)}&returnUrl={Uri.EscapeDataString(SafeReturnUrl(returnUrl))}");
    }

    private static async Task<IResult> SignOutAsync(HttpContext http, AuditLog audit, IOptions<AuthOptions> options)
    {
        if (http.User.Identity?.IsAuthenticated == true)
            await audit.WriteAsync(Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString()), AuditActions.SignOut, http.User.Identity.Name, null);
        await http.SignOutAsync(IdentityConstants.ApplicationScheme);
        if (options.Value.Oidc.Enabled) await http.SignOutAsync(AuthExtensions.OidcCookieScheme);
        return Results.LocalRedirect(SignInPath);
    }

    private static async Task<IResult> SetupAsync([FromForm] string? token, [FromForm] string? email, [FromForm] string? password,
        HttpContext http, AccountSetup setup, SignInManager<IdentityUser> signIn, ClientThrottle throttle, AuditLog audit)
    {
        var client = http.Connection.RemoteIpAddress;
        if (throttle.IsBlocked(client)) return Failed("Too many failed attempts from here; wait a minute.");
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password)) return Failed("Enter an email and a password.");
        var errors = await setup.CompleteAsync(token, email, password);
        if (errors.Count > 0)
        {
            throttle.Fail(client);
            return Failed(string.Join(" ", errors));
        }
        await audit.WriteAsync(new Actor(email.Trim(), client?.ToString()), AuditActions.Setup, email.Trim(), "first admin created with the set-up link");
        await signIn.PasswordSignInAsync(email.Trim(), password, isPersistent: false, lockoutOnFailure: false);
        return Results.LocalRedirect("/");

        IResult Failed(string error) =>
            Results.LocalRedirect($"/account/setup?token={Uri.EscapeDataString(token ?? "")}&error={Uri.EscapeDataString(error)}");
    }

    /// <summary>Only local paths: a crafted link must not bounce a fresh sign-in to another site.</summary>
    public static string SafeReturnUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url : "/";
}
