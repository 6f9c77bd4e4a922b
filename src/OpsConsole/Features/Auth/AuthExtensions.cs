using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using OpsConsole.Data;
using OpsConsole.Features.ApiKeys;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Ingestion;

namespace OpsConsole.Features.Auth;

/// <summary>
/// Sign-in (local accounts, a trusted proxy, OpenID Connect), the three roles, API key scopes and the audit trail.
/// Pages authenticate through <see cref="ConsoleScheme"/>, which picks the proxy, the single sign-on cookie or the
/// local-account cookie for each request; the API also accepts keys.
/// </summary>
public static class AuthExtensions
{
    public const string ConsoleScheme = "Console";
    public const string OidcCookieScheme = "Oidc.Cookie";

    public static IServiceCollection AddConsoleAuth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName)
            .Validate(o => o.AnonymousRole.Length == 0 || ConsoleRoles.Normalize(o.AnonymousRole) is not null,
                $"Auth:AnonymousRole must be empty or one of {string.Join(", ", ConsoleRoles.All)}.")
            .ValidateOnStart();
        var auth = configuration.GetSection(AuthOptions.SectionName).Get<AuthOptions>() ?? new AuthOptions();

        services.AddIdentityCore<IdentityUser>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Password.RequireUppercase = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<OpsDbContext>()
            .AddSignInManager();
        services.Configure<SecurityStampValidatorOptions>(o => o.ValidationInterval = TimeSpan.FromMinutes(1));

        var authentication = services.AddAuthentication(options => options.DefaultScheme = ConsoleScheme)
            .AddPolicyScheme(ConsoleScheme, "Console sign-in", options => options.ForwardDefaultSelector = context =>
            {
                var current = context.RequestServices.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<AuthOptions>>().CurrentValue;
                if (ProxyAuthenticationHandler.IsTrusted(context, current.Proxy)) return ProxyAuthenticationHandler.SchemeName;
                if (current.Oidc.Enabled && context.Request.Cookies.ContainsKey(OidcCookieName)) return OidcCookieScheme;
                return IdentityConstants.ApplicationScheme;
            })
            .AddScheme<AuthenticationSchemeOptions, ProxyAuthenticationHandler>(ProxyAuthenticationHandler.SchemeName, null);
        authentication.AddIdentityCookies();
        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = "opsconsole.auth";
            ConfigureCookie(options, auth);
        });
        if (auth.Oidc.Enabled) AddOidc(authentication, auth);

        services.AddAuthorizationBuilder()
            .AddPolicy(ConsolePolicies.Viewer, p => p.AddRequirements(new AccessRequirement(ConsoleRoles.Viewer, null)))
            .AddPolicy(ConsolePolicies.Operator, p => p.AddRequirements(new AccessRequirement(ConsoleRoles.Operator, null)))
            .AddPolicy(ConsolePolicies.Admin, p => p.AddRequirements(new AccessRequirement(ConsoleRoles.Admin, null)))
            .AddPolicy(ApiPolicies.Ingest, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .AddRequirements(new AccessRequirement(null, KeyScopes.Ingest)))
            .AddPolicy(ApiPolicies.Read, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, ConsoleScheme)
                .AddRequirements(new AccessRequirement(ConsoleRoles.Viewer, KeyScopes.Read)))
            .AddPolicy(ApiPolicies.Operate, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, ConsoleScheme)
                .AddRequirements(new AccessRequirement(ConsoleRoles.Operator, KeyScopes.Operate)))
            .AddPolicy(ApiPolicies.Audit, p => p.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName, ConsoleScheme)
                .AddRequirements(new AccessRequirement(ConsoleRoles.Admin, KeyScopes.Read)));
        services.AddSingleton<IAuthorizationHandler, AccessRequirementHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ApiAccessResultHandler>();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(AccountEndpoints.RateLimitPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = 10, Window = TimeSpan.FromMinutes(1) }));
        });

        // Keys in the shared database (and one application name whatever the install path): a cookie, antiforgery token
        // or circuit made by one node is read by every node.
        services.AddDataProtection().SetApplicationName("OpsConsole").PersistKeysToDbContext<OpsDbContext>();
        services.AddHttpContextAccessor();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, ConsoleAuthenticationState>();
        services.AddScoped<ConsoleAccess>();
        services.AddScoped<UserAdministration>();
        services.AddSingleton<ClientThrottle>();
        services.AddSingleton<AccountSetup>();
        services.AddSingleton<AccessKeyStore>();
        services.AddMemoryCache();
        services.AddSingleton<ExternalUsers>();
        services.AddSingleton<AuditLog>();
        return services;
    }

    public static async Task InitializeConsoleAuthAsync(this IServiceProvider services, string publicUrl)
    {
        await services.GetRequiredService<AccessKeyStore>().InitializeAsync(CancellationToken.None);
        await services.GetRequiredService<AccountSetup>().InitializeAsync(publicUrl);
    }

    private const string OidcCookieName = "opsconsole.sso";

    private static void ConfigureCookie(CookieAuthenticationOptions options, AuthOptions auth)
    {
        options.LoginPath = AccountEndpoints.SignInPath;
        options.AccessDeniedPath = "/account/denied";
        options.ExpireTimeSpan = auth.SessionLifetime;
        options.SlidingExpiration = true;
        options.Cookie.HttpOnly = true;
        options.Cookie.SameSite = SameSiteMode.Lax;
        // The API answers with problem details; a redirect to an HTML page would only confuse a script.
        options.Events.OnRedirectToLogin = context => IsApi(context.Request) ? Task.CompletedTask : RedirectAsync(context);
        options.Events.OnRedirectToAccessDenied = context => IsApi(context.Request) ? Task.CompletedTask : RedirectAsync(context);
    }

    private static bool IsApi(HttpRequest request) => request.Path.StartsWithSegments("/api");

    private static Task RedirectAsync(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }

    private static void AddOidc(AuthenticationBuilder authentication, AuthOptions auth)
    {
        authentication.AddCookie(OidcCookieScheme, options =>
        {
            options.Cookie.Name = OidcCookieName;
            ConfigureCookie(options, auth);
        });
        authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, auth.Oidc.DisplayName, options =>
        {
            var oidc = auth.Oidc;
            options.SignInScheme = OidcCookieScheme;
            options.Authority = oidc.Authority;
            options.ClientId = oidc.ClientId;
            options.ClientSecret = oidc.ClientSecret;
            options.ResponseType = "code";
            options.UsePkce = true;
            // The code comes back on a plain redirect (GET), not a form posted by the provider's page: the console refuses
            // state-changing requests from other origins, and Lax cookies travel with a top-level GET.
            options.ResponseMode = "query";
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.RequireHttpsMetadata = oidc.RequireHttpsMetadata;
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = true;
            options.Scope.Clear();
            foreach (var scope in oidc.Scopes) options.Scope.Add(scope);
            options.TokenValidationParameters.NameClaimType = "email";
            options.TokenValidationParameters.RoleClaimType = ClaimTypes.Role;
            options.Events.OnTicketReceived = async context =>
            {
                var principal = context.Principal!;
                var identity = (ClaimsIdentity)principal.Identity!;
                // Read the provider's claims before adding to them (Map enumerates the same identity lazily).
                var roles = OidcRoles.Map(principal, oidc).ToList();
                foreach (var role in roles) identity.AddClaim(new Claim(ClaimTypes.Role, role));
                var subject = principal.FindFirst("sub")?.Value ?? identity.Name ?? "";
                if (identity.Name is null) identity.AddClaim(new Claim("email", subject));
                var externalUsers = context.HttpContext.RequestServices.GetRequiredService<ExternalUsers>();
                if (await externalUsers.SignInAsync(ExternalUsers.SingleSignOn, subject, identity.Name!, roles.MaxBy(ConsoleRoles.Rank)) is not { } login)
                {
                    context.Response.Redirect(DeniedPage.BlockedPath);
                    context.HandleResponse();
                    return;
                }
                identity.AddClaim(login);
                await context.HttpContext.RequestServices.GetRequiredService<AuditLog>().WriteAsync(
                    Actor.Of(principal, context.HttpContext.Connection.RemoteIpAddress?.ToString()), AuditActions.SignIn, identity.Name, "single sign-on");
            };
        });
    }

    public static WebApplication UseConsoleAuth(this WebApplication app)
    {
        app.UseSecurityHeaders();
        return app;
    }
}

/// <summary>Maps the provider's group or role claim values to console roles through <c>Auth:Oidc:RoleMap</c>.</summary>
public static class OidcRoles
{
    public static IEnumerable<string> Map(ClaimsPrincipal principal, OidcOptions oidc) =>
        principal.FindAll(oidc.RoleClaim)
            .SelectMany(c => c.Value.StartsWith('[') ? System.Text.Json.JsonSerializer.Deserialize<string[]>(c.Value) ?? [] : [c.Value])
            .Select(value => oidc.RoleMap.TryGetValue(value, out var role) ? ConsoleRoles.Normalize(role) : null)
            .OfType<string>().Distinct();
}

/// <summary>API policies: each needs a key with that scope, or (read, operate) a signed-in user with the matching role.</summary>
public static class ApiPolicies
{
    public const string Ingest = "api:ingest";
    public const string Read = "api:read";
    public const string Operate = "api:operate";

    /// <summary>The audit export: a key with read, or a signed-in admin (viewers do not see who did what).</summary>
    public const string Audit = "api:audit";
}
