using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Auth;

/// <summary>
/// The first admin: made from <c>Auth:InitialAdmin</c> at start, or, when that is unset and no user exists, by whoever
/// opens the one-time set-up link logged at start (only its hash is kept, in memory; a restart logs a new one).
/// </summary>
public sealed partial class AccountSetup(IServiceScopeFactory scopes, IOptions<AuthOptions> options, ILogger<AccountSetup> logger)
{
    private byte[]? _pendingHash;

    /// <summary>True while no user exists and a set-up link is waiting to be used.</summary>
    public bool IsPending => Volatile.Read(ref _pendingHash) is not null;

    public async Task InitializeAsync(string publicUrl)
    {
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        await EnsureRolesAsync(scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>());
        if (users.Users.Any()) return;

        var initial = options.Value.InitialAdmin;
        if (!string.IsNullOrWhiteSpace(initial.Email) && !string.IsNullOrEmpty(initial.Password))
        {
            var errors = await CreateAdminAsync(users, initial.Email, initial.Password);
            if (errors.Count > 0)
                throw new InvalidOperationException($"Auth:InitialAdmin could not be created: {string.Join(" ", errors)}");
            LogInitialAdmin(logger, initial.Email);
            return;
        }

        var token = Secrets.New("");
        Volatile.Write(ref _pendingHash, Secrets.Hash(token));
        LogSetupLink(logger, $"{publicUrl.TrimEnd('/')}/account/setup?token={Uri.EscapeDataString(token)}");
    }

    /// <summary>Makes the first admin when <paramref name="token"/> is the logged one; the link works once.</summary>
    public async Task<IReadOnlyList<string>> CompleteAsync(string? token, string email, string password)
    {
        var pending = Volatile.Read(ref _pendingHash);
        if (pending is null || !Secrets.MatchesAny(token, [pending])) return ["This set-up link is not valid (or was already used)."];
        await using var scope = scopes.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (users.Users.Any())
        {
            Volatile.Write(ref _pendingHash, null);
            return ["An account already exists; sign in instead."];
        }
        var errors = await CreateAdminAsync(users, email, password);
        if (errors.Count == 0) Volatile.Write(ref _pendingHash, null);
        return errors;
    }

    private static async Task<IReadOnlyList<string>> CreateAdminAsync(UserManager<IdentityUser> users, string email, string password)
    {
        var user = new IdentityUser { UserName = email.Trim(), Email = email.Trim(), EmailConfirmed = true };
        var created = await users.CreateAsync(user, password);
        if (!created.Succeeded) return [.. created.Errors.Select(e => e.Description)];
        var role = await users.AddToRoleAsync(user, ConsoleRoles.Admin);
        return [.. role.Errors.Select(e => e.Description)];
    }

    private static async Task EnsureRolesAsync(RoleManager<IdentityRole> roles)
    {
        foreach (var role in ConsoleRoles.All)
            if (!await roles.RoleExistsAsync(role))
                await roles.CreateAsync(new IdentityRole(role));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the initial admin {Email} from Auth:InitialAdmin.")]
    private static partial void LogInitialAdmin(ILogger logger, string email);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No user exists yet. Open this one-time link to create the first admin: {Link}")]
    private static partial void LogSetupLink(ILogger logger, string link);
}
