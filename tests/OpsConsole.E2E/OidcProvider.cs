using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace OpsConsole.E2E;

/// <summary>
/// A real OpenID Connect provider (OpenIddict) on loopback for the single sign-on tests: discovery, authorization
/// code flow with PKCE, signed ID tokens, userinfo. It knows one client and a few people, each in some groups; its
/// own sign-in page asks which person you are (the password step belongs to the provider, not to the console).
/// </summary>
public sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "opsconsole";
    public const string ClientSecret = "provider-secret-5b1e";
    private const string UserCookie = "provider.user";

    /// <summary>People the provider knows, by email, with the groups it puts in their <c>groups</c> claim.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> People = new Dictionary<string, string[]>
    {
        ["oncall@example.test"] = ["/everyone", "/sre"],
        ["lead@example.test"] = ["/everyone", "/platform-leads"],
        ["visitor@example.test"] = ["/everyone"],
        ["contractor@example.test"] = ["/everyone", "/sre"],
    };

    private readonly WebApplication _app;

    private OidcProvider(WebApplication app) => _app = app;

    public string Url => _app.Urls.First().TrimEnd('/');

    /// <summary>Starts the provider; <paramref name="consoleCallback"/> gives the console's redirect URI once it is known.</summary>
    public static async Task<OidcProvider> StartAsync(Func<string> consoleCallback)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetAuthorizationEndpointUris("connect/authorize")
                .SetTokenEndpointUris("connect/token")
                .SetUserInfoEndpointUris("connect/userinfo");
            options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email);
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
            // No application store: the one client is checked by the two handlers below.
            options.EnableDegradedMode();
            options.AddEventHandler<OpenIddictServerEvents.ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId) context.Reject(Errors.InvalidClient, "Unknown client.");
                else if (context.RedirectUri != consoleCallback()) context.Reject(Errors.InvalidRequest, $"Unexpected redirect_uri {context.RedirectUri}.");
                return default;
            }));
            options.AddEventHandler<OpenIddictServerEvents.ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.Request.ClientId != ClientId || context.Request.ClientSecret != ClientSecret)
                    context.Reject(Errors.InvalidClient, "Wrong client credentials.");
                return default;
            }));
            options.UseAspNetCore()
                .EnableAuthorizationEndpointPassthrough()
                .EnableUserInfoEndpointPassthrough()
                .DisableTransportSecurityRequirement();
        });

        var app = builder.Build();
        app.MapMethods("/connect/authorize", ["GET", "POST"], Authorize);
        app.MapPost("/login", (Delegate)SignInAsync);
        app.MapMethods("/connect/userinfo", ["GET", "POST"], (Delegate)UserInfoAsync);
        await app.StartAsync();
        return new OidcProvider(app);
    }

    private static IResult Authorize(HttpContext http)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("Not an OpenID Connect request.");
        if (http.Request.Cookies[UserCookie] is not { } email || !People.TryGetValue(email, out var groups))
            return Results.Content(SignInPage(http.Request.Path + http.Request.QueryString), "text/html; charset=utf-8");

        var identity = new ClaimsIdentity("provider", Claims.Email, Claims.Role);
        identity.AddClaim(new Claim(Claims.Subject, "user-" + email.Split('@')[0]));
        identity.AddClaim(new Claim(Claims.Email, email));
        foreach (var group in groups) identity.AddClaim(new Claim("groups", group));
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(_ => [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> SignInAsync(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        http.Response.Cookies.Append(UserCookie, form["email"].ToString(), new CookieOptions { HttpOnly = true, Path = "/" });
        var back = form["returnUrl"].ToString();
        return Results.Redirect(back.StartsWith("/connect/authorize", StringComparison.Ordinal) ? back : "/");
    }

    private static async Task<IResult> UserInfoAsync(HttpContext http)
    {
        var result = await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } user) return Results.Challenge(authenticationSchemes: [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        var email = user.GetClaim(Claims.Email)!;
        return Results.Json(new Dictionary<string, object>
        {
            [Claims.Subject] = user.GetClaim(Claims.Subject)!,
            [Claims.Email] = email,
            ["groups"] = People[email],
        });
    }

    private static string SignInPage(string returnUrl) => $$"""
        <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test provider sign-in</title></head><body>
        <form method="post" action="/login" class="provider-signin">
          <input type="hidden" name="returnUrl" value="{{WebUtility.HtmlEncode(returnUrl)}}">
          <label>Who are you? <select name="email">{{string.Concat(People.Keys.Select(e => $"<option>{e}</option>"))}}</select></label>
          <button type="submit">Continue</button>
        </form></body></html>
        """;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
