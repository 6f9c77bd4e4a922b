using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace OpsConsole.Features.Auth;

/// <summary>
/// Met by a signed-in user holding at least <see cref="Role"/>, by an API key carrying <see cref="Scope"/>, or by an
/// anonymous request when <c>Auth:AnonymousRole</c> is at least <see cref="Role"/>.
/// </summary>
public sealed record AccessRequirement(string? Role, string? Scope) : IAuthorizationRequirement;

internal sealed class AccessRequirementHandler(IOptionsMonitor<AuthOptions> options) : AuthorizationHandler<AccessRequirement>
{
    public const string ScopeClaim = "scope";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        if (Allows(context.User, requirement, options.CurrentValue)) context.Succeed(requirement);
        return Task.CompletedTask;
    }

    internal static bool Allows(ClaimsPrincipal user, AccessRequirement requirement, AuthOptions options)
    {
        if (requirement.Scope is { } scope && user.HasClaim(ScopeClaim, scope)) return true;
        if (requirement.Role is not { } role) return false;
        var rank = user.Identities.Any(i => i.IsAuthenticated) ? ConsoleRoles.RankOf(user) : ConsoleRoles.Rank(options.AnonymousRole);
        return rank >= ConsoleRoles.Rank(role);
    }
}
