using System.Security.Claims;
using OpsConsole.Features.Auth;

namespace OpsConsole.Tests.Features.Auth;

/// <summary>The provider's group or role claim values become console roles only through Auth:Oidc:RoleMap.</summary>
public sealed class OidcRoleMapTests
{
    private static readonly OidcOptions Options = new()
    {
        RoleClaim = "groups",
        RoleMap = new() { ["/sre"] = "Operator", ["/noc"] = "viewer", ["/platform-leads"] = "Admin", ["/typo"] = "Superuser" },
    };

    private static ClaimsPrincipal User(params string[] groups) =>
        new(new ClaimsIdentity(groups.Select(g => new Claim("groups", g)), "oidc"));

    [Fact]
    public void Mapped_values_give_their_roles_and_unmapped_or_unknown_ones_give_none()
    {
        Assert.Equal(["Operator", "Viewer"], OidcRoles.Map(User("/sre", "/noc", "/everyone"), Options).Order());
        Assert.Empty(OidcRoles.Map(User("/everyone", "/typo"), Options));
    }

    [Fact]
    public void A_json_array_claim_is_read_value_by_value()
    {
        Assert.Equal(["Admin"], OidcRoles.Map(User("""["/everyone","/platform-leads"]"""), Options));
    }
}
