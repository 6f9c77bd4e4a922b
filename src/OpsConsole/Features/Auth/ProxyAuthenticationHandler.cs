using System.Net;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace OpsConsole.Features.Auth;

/// <summary>
/// Signs in the user a trusted reverse proxy names in <c>Auth:Proxy:UserHeader</c> (role from
/// <c>Auth:Proxy:RoleHeader</c>). The headers count only on connections from <c>Auth:Proxy:TrustedNetworks</c>:
/// from anywhere else anyone could send them.
/// </summary>
public sealed class ProxyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptionsMonitor<AuthOptions> auth,
    ExternalUsers externalUsers) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Proxy";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var proxy = auth.CurrentValue.Proxy;
        if (!IsTrusted(Context, proxy)) return AuthenticateResult.NoResult();
        var user = Request.Headers[proxy.UserHeader!].ToString().Trim();
        var roles = string.IsNullOrWhiteSpace(proxy.RoleHeader) ? "" : Request.Headers[proxy.RoleHeader].ToString();
        // The header may list several groups or roles; the highest known one wins, else the default role.
        var role = roles.Split([',', ' ', ';'], StringSplitOptions.RemoveEmptyEntries)
            .Select(ConsoleRoles.Normalize).OfType<string>().MaxBy(ConsoleRoles.Rank)
            ?? ConsoleRoles.Normalize(proxy.DefaultRole);
        if (await externalUsers.SignInAsync(ExternalUsers.Proxy, user, user, role, Context.RequestAborted) is not { } login)
            return AuthenticateResult.Fail($"An admin has blocked '{user}' in the console.");
        List<Claim> claims = [new(ClaimTypes.Name, user), login];
        if (role is not null) claims.Add(new Claim(ClaimTypes.Role, role));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>A blocked user's page request goes to the page that says so; the API answers 401 as for no sign-in.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        // The API's key scheme may have answered already (problem details).
        if (Response.HasStarted) return;
        if ((await HandleAuthenticateOnceSafeAsync()).Failure is not null && !Request.Path.StartsWithSegments("/api"))
        {
            Response.Redirect(DeniedPage.BlockedPath);
            return;
        }
        await base.HandleChallengeAsync(properties);
    }

    /// <summary>True when the proxy is configured, this request names a user, and it comes from a trusted network.</summary>
    public static bool IsTrusted(HttpContext context, ProxyOptions proxy) =>
        proxy.Enabled
        && context.Request.Headers[proxy.UserHeader!].ToString() is { Length: > 0 }
        && context.Connection.RemoteIpAddress is { } address
        && proxy.TrustedNetworks.Any(network => Contains(network, address));

    private static bool Contains(string network, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPNetwork.TryParse(network, out var range)) return range.Contains(address);
        return IPAddress.TryParse(network, out var single) && single.Equals(address);
    }
}
