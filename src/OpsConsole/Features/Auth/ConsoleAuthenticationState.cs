using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace OpsConsole.Features.Auth;

/// <summary>
/// The sign-in state of an open page, re-checked every <c>Auth:RevalidationInterval</c>: a local user who was
/// deleted, or whose role changed (the security stamp moves), loses the page without reloading it; so does a single
/// sign-on or proxy user an admin blocked, or whose role the provider or proxy has since changed (<see cref="ExternalUsers"/>).
/// </summary>
internal sealed class ConsoleAuthenticationState(ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<AuthOptions> options)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval => options.Value.RevalidationInterval;

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState authenticationState, CancellationToken cancellationToken)
    {
        var user = authenticationState.User;
        await using var scope = scopes.CreateAsyncScope();
        if (user.Identity?.AuthenticationType != IdentityConstants.ApplicationScheme)
            return await scope.ServiceProvider.GetRequiredService<ExternalUsers>().StillValidAsync(user, cancellationToken);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var stored = await users.GetUserAsync(user);
        if (stored is null) return false;
        if (!users.SupportsUserSecurityStamp) return true;
        var stamp = user.FindFirstValue(scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value.ClaimsIdentity.SecurityStampClaimType);
        return stamp == await users.GetSecurityStampAsync(stored);
    }
}
