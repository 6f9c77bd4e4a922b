using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Features.Audit;

namespace OpsConsole.Features.Auth;

/// <summary>A user as the Users page shows it; <c>SignsInWith</c> is null for a local account, else the provider or proxy.</summary>
public sealed record ConsoleUser(string Id, string Email, string? Role, DateTimeOffset? LockedUntil, string? SignsInWith, bool Blocked)
{
    public bool Local => SignsInWith is null;
}

/// <summary>
/// Admins' changes to local accounts, each audited. A role change or removal moves the user's security stamp, so
/// their open pages lose access at the next revalidation and their cookie at the next stamp check. Single sign-on and
/// proxy users (<see cref="ExternalUsers"/>) take their role from the provider or proxy; an admin can block them.
/// </summary>
public sealed class UserAdministration(UserManager<IdentityUser> users, AuditLog audit, ExternalUsers externalUsers)
{
    public async Task<IReadOnlyList<ConsoleUser>> ListAsync()
    {
        var list = new List<ConsoleUser>();
        // Not tracked: blocks are written by another context, and a page's long-lived one would keep showing the old row.
        foreach (var user in await users.Users.AsNoTracking().OrderBy(u => u.Email).ToListAsync())
        {
            var role = (await users.GetRolesAsync(user)).MaxBy(ConsoleRoles.Rank);
            var login = (await users.GetLoginsAsync(user)).FirstOrDefault()?.LoginProvider;
            list.Add(new ConsoleUser(user.Id, user.Email ?? user.UserName ?? user.Id, role, user.LockoutEnd, login,
                login is not null && externalUsers.Blocked(user)));
        }
        return list;
    }

    /// <summary>Blocks a single sign-on or proxy user (removing them would only last until their next sign-in) or lifts the block.</summary>
    public async Task<IReadOnlyList<string>> SetBlockedAsync(Actor by, string userId, bool blocked)
    {
        if (await users.FindByIdAsync(userId) is not { } user) return ["No such user."];
        if (!await externalUsers.SetBlockedAsync(userId, blocked)) return ["Local accounts are removed, not blocked."];
        await audit.WriteAsync(by, blocked ? AuditActions.UserBlock : AuditActions.UserUnblock, user.Email, null);
        return [];
    }

    public async Task<IReadOnlyList<string>> CreateAsync(Actor by, string email, string password, string role)
    {
        if (ConsoleRoles.Normalize(role) is not { } canonical) return [$"Role must be one of {string.Join(", ", ConsoleRoles.All)}."];
        var user = new IdentityUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return [.. created.Errors.Select(e => e.Description)];
        await users.AddToRoleAsync(user, canonical);
        await audit.WriteAsync(by, AuditActions.UserCreate, user.Email, $"role {canonical}");
        return [];
    }

    public async Task<IReadOnlyList<string>> SetRoleAsync(Actor by, string userId, string role)
    {
        if (ConsoleRoles.Normalize(role) is not { } canonical) return [$"Role must be one of {string.Join(", ", ConsoleRoles.All)}."];
        if (await users.FindByIdAsync(userId) is not { } user) return ["No such user."];
        var current = await users.GetRolesAsync(user);
        if (await WouldLeaveNoAdminAsync(user, current, canonical)) return ["The last admin cannot lose the Admin role."];
        await users.RemoveFromRolesAsync(user, current);
        await users.AddToRoleAsync(user, canonical);
        await users.UpdateSecurityStampAsync(user);
        await audit.WriteAsync(by, AuditActions.UserRole, user.Email, $"{string.Join(",", current)} → {canonical}");
        return [];
    }

    public async Task<IReadOnlyList<string>> DeleteAsync(Actor by, string userId)
    {
        if (await users.FindByIdAsync(userId) is not { } user) return ["No such user."];
        if (await WouldLeaveNoAdminAsync(user, await users.GetRolesAsync(user), null)) return ["The last admin cannot be removed."];
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded) return [.. deleted.Errors.Select(e => e.Description)];
        await audit.WriteAsync(by, AuditActions.UserDelete, user.Email, null);
        return [];
    }

    private async Task<bool> WouldLeaveNoAdminAsync(IdentityUser user, IList<string> current, string? newRole) =>
        current.Contains(ConsoleRoles.Admin) && newRole != ConsoleRoles.Admin
        && (await users.GetUsersInRoleAsync(ConsoleRoles.Admin)).All(u => u.Id == user.Id);
}
