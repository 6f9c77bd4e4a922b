using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using OpsConsole.Data;

namespace OpsConsole.Features.Auth;

/// <summary>
/// Single sign-on and proxy users are vouched for by someone else, but the console still keeps a record of each one:
/// created at the first sign-in (an Identity user with an external login), holding the role the provider or proxy last
/// gave. That record lets an admin see them on the Users page and block them, and lets open pages notice within a
/// minute that a user was blocked or that their role moved (<see cref="ConsoleAuthenticationState"/>).
/// </summary>
public sealed class ExternalUsers(IDbContextFactory<OpsDbContext> databases, IMemoryCache cache, TimeProvider clock)
{
    public const string SingleSignOn = "oidc";
    public const string Proxy = "proxy";

    /// <summary>Names the external login behind a principal: "provider|key".</summary>
    public const string LoginClaim = "opsconsole:login";

    // A proxy authenticates every request; the record is written when something changed, and a block is seen within this.
    private static readonly TimeSpan Recheck = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Records this sign-in (creating the user, or updating its role) and gives the login claim to add to the principal,
    /// or null when an admin has blocked the user.
    /// </summary>
    public async Task<Claim?> SignInAsync(string provider, string key, string name, string? role, CancellationToken cancellationToken = default)
    {
        var cacheKey = CacheKey(provider, key);
        if (!cache.TryGetValue(cacheKey, out (string? Role, bool Allowed) known) || known.Role != role)
        {
            known = (role, await RecordAsync(provider, key, name, role, cancellationToken));
            cache.Set(cacheKey, known, Recheck);
        }
        return known.Allowed ? new Claim(LoginClaim, $"{provider}|{key}") : null;
    }

    /// <summary>
    /// Blocks the user (or lifts the block); false when the id names no external user. Written through the context: the
    /// local-account validators behind UserManager's updates would refuse a user without an email.
    /// </summary>
    public async Task<bool> SetBlockedAsync(string userId, bool blocked, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var logins = await db.UserLogins.Where(l => l.UserId == userId).ToListAsync(cancellationToken);
        if (logins.Count == 0) return false;
        DateTimeOffset? until = blocked ? DateTimeOffset.MaxValue : null;
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.LockoutEnabled, true).SetProperty(x => x.LockoutEnd, until), cancellationToken);
        // This node's next request of theirs sees the block at once; other nodes within the recheck interval.
        foreach (var login in logins) cache.Remove(CacheKey(login.LoginProvider, login.ProviderKey));
        return true;
    }

    private static (string, string, string) CacheKey(string provider, string key) => (nameof(ExternalUsers), provider, key);

    /// <summary>
    /// Whether a principal signed in through a provider or proxy still holds what it held: the user is not blocked and
    /// the role stored at its last sign-in is the role the principal carries. Principals without a login claim pass.
    /// </summary>
    public async Task<bool> StillValidAsync(ClaimsPrincipal principal, CancellationToken cancellationToken)
    {
        if (principal.FindFirstValue(LoginClaim)?.Split('|', 2) is not [var provider, var key]) return true;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await FindAsync(db, provider, key, cancellationToken);
        if (user is null || Blocked(user)) return false;
        var stored = await StoredRoleAsync(db, user.Id, cancellationToken);
        return stored == principal.FindAll(ClaimTypes.Role).Select(c => ConsoleRoles.Normalize(c.Value)).OfType<string>().MaxBy(ConsoleRoles.Rank);
    }

    public bool Blocked(IdentityUser user) => user.LockoutEnd is { } end && end > clock.GetUtcNow();

    private async Task<bool> RecordAsync(string provider, string key, string name, string? role, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var user = await FindAsync(db, provider, key, cancellationToken);
        if (user is null)
        {
            // Written through the context, not UserManager: these users have no password and often no email, which the
            // local-account validators require.
            var userName = $"{provider}:{key}";
            user = new IdentityUser
            {
                UserName = userName, NormalizedUserName = userName.ToUpperInvariant(),
                Email = name, NormalizedEmail = name.ToUpperInvariant(), EmailConfirmed = true,
                LockoutEnabled = true, SecurityStamp = Guid.NewGuid().ToString("N"),
            };
            db.Users.Add(user);
            db.UserLogins.Add(new IdentityUserLogin<string> { LoginProvider = provider, ProviderKey = key, ProviderDisplayName = name, UserId = user.Id });
        }
        else if (Blocked(user)) return false;
        else if (user.Email != name)
        {
            user.Email = name;
            user.NormalizedEmail = name.ToUpperInvariant();
        }

        if (await StoredRoleAsync(db, user.Id, cancellationToken) != role)
        {
            await db.UserRoles.Where(r => r.UserId == user.Id).ExecuteDeleteAsync(cancellationToken);
            if (role is not null && await db.Roles.Where(r => r.Name == role).Select(r => r.Id).FirstOrDefaultAsync(cancellationToken) is { } roleId)
                db.UserRoles.Add(new IdentityUserRole<string> { UserId = user.Id, RoleId = roleId });
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two first requests of the same user may race; then the other one created the record.
            await using var again = await databases.CreateDbContextAsync(cancellationToken);
            if (await FindAsync(again, provider, key, cancellationToken) is null) throw;
        }
        return true;
    }

    private static Task<IdentityUser?> FindAsync(OpsDbContext db, string provider, string key, CancellationToken cancellationToken) =>
        db.UserLogins.AsNoTracking().Where(l => l.LoginProvider == provider && l.ProviderKey == key)
            .Join(db.Users, l => l.UserId, u => u.Id, (_, u) => u).AsTracking().FirstOrDefaultAsync(cancellationToken);

    private static async Task<string?> StoredRoleAsync(OpsDbContext db, string userId, CancellationToken cancellationToken) =>
        (await db.UserRoles.Where(r => r.UserId == userId).Join(db.Roles, r => r.RoleId, role => role.Id, (_, role) => role.Name)
            .ToListAsync(cancellationToken)).OfType<string>().MaxBy(ConsoleRoles.Rank);
}
