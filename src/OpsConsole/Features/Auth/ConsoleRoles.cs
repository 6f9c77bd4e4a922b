using System.Security.Claims;

namespace OpsConsole.Features.Auth;

/// <summary>
/// The three roles, each including the one before it: Viewer reads everything, Operator also acknowledges, mutes,
/// ticks runbook steps and starts reclassification, Admin also manages users, keys, tokens and settings.
/// </summary>
public static class ConsoleRoles
{
    public const string Viewer = "Viewer";
    public const string Operator = "Operator";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Operator, Admin];

    /// <summary>0 for none, then 1..3 in the order above; unknown names are none.</summary>
    public static int Rank(string? role) => role is null ? 0 : All.ToList().FindIndex(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase)) + 1;

    /// <summary>The canonical spelling of a role name, or null when it names none.</summary>
    public static string? Normalize(string? role) => Rank(role) is var rank and > 0 ? All[rank - 1] : null;

    /// <summary>The highest role a signed-in principal carries (role claims from any sign-in mode).</summary>
    public static int RankOf(ClaimsPrincipal user) =>
        user.FindAll(ClaimTypes.Role).Select(c => Rank(c.Value)).DefaultIfEmpty(0).Max();
}

/// <summary>Authorization policy names; each requires at least that role (or, on the API, the matching key scope).</summary>
public static class ConsolePolicies
{
    public const string Viewer = "role:Viewer";
    public const string Operator = "role:Operator";
    public const string Admin = "role:Admin";
}
