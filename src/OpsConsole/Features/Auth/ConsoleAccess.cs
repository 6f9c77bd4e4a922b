using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Options;

namespace OpsConsole.Features.Auth;

/// <summary>Who is acting and from where: the name written on acknowledgements, ticks and audit entries.</summary>
public sealed record Actor(string Name, string? Address)
{
    public static Actor Of(ClaimsPrincipal user, string? address) =>
        new(user.Identity is { IsAuthenticated: true, Name: { Length: > 0 } name } ? name : "anonymous", address);
}

/// <summary>
/// The server-side check behind every action a page offers: pages hide what a role cannot do, and this refuses
/// it anyway, so a crafted circuit message changes nothing.
/// </summary>
public sealed class ConsoleAccess(AuthenticationStateProvider authentication, IOptionsMonitor<AuthOptions> options,
    IHttpContextAccessor http)
{
    /// <summary>The acting user when they hold at least <paramref name="role"/>, else null.</summary>
    public async Task<Actor?> ActAsAsync(string role)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        return AccessRequirementHandler.Allows(user, new AccessRequirement(role, null), options.CurrentValue)
            ? Actor.Of(user, http.HttpContext?.Connection.RemoteIpAddress?.ToString())
            : null;
    }
}
