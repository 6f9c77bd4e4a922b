namespace OpsConsole.Features.Auth;

/// <summary>The <c>Auth</c> section: who may sign in and how, and what an anonymous visitor may do.</summary>
public sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>The role given to requests with no sign-in; empty (the default) means only the sign-in page.</summary>
    public string AnonymousRole { get; set; } = "";

    public InitialAdminOptions InitialAdmin { get; set; } = new();
    public ProxyOptions Proxy { get; set; } = new();
    public OidcOptions Oidc { get; set; } = new();

    /// <summary>Scoped API keys declared in configuration (more can be made on the API keys page).</summary>
    public List<ConfiguredApiKey> ApiKeys { get; set; } = [];

    /// <summary>How long a sign-in lasts without activity.</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>How often an open page re-checks that its user still exists and holds its role.</summary>
    public TimeSpan RevalidationInterval { get; set; } = TimeSpan.FromSeconds(30);
}

public sealed class InitialAdminOptions
{
    public string? Email { get; set; }
    public string? Password { get; set; }
}

/// <summary>A trusted reverse proxy (oauth2-proxy, Grafana-style auth.proxy) that signs users in and passes them in headers.</summary>
public sealed class ProxyOptions
{
    public string? UserHeader { get; set; }
    public string? RoleHeader { get; set; }

    /// <summary>CIDR ranges (or single addresses) the proxy connects from; headers from anywhere else are ignored.</summary>
    public List<string> TrustedNetworks { get; set; } = [];

    /// <summary>The role for proxied users whose role header is missing or names no role.</summary>
    public string DefaultRole { get; set; } = ConsoleRoles.Viewer;

    public bool Enabled => !string.IsNullOrWhiteSpace(UserHeader);
}

/// <summary>OpenID Connect sign-in (authorization code flow).</summary>
public sealed class OidcOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }
    public List<string> Scopes { get; set; } = ["openid", "profile", "email"];

    /// <summary>The claim that carries groups or roles (Entra: roles or groups; Keycloak: groups).</summary>
    public string RoleClaim { get; set; } = "groups";

    /// <summary>Claim value → console role; values not listed give no role.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = [];

    /// <summary>The label on the sign-in button.</summary>
    public string DisplayName { get; set; } = "Single sign-on";

    /// <summary>Plain-http authorities are refused unless this is set (test providers on loopback).</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);
}

/// <summary>A scoped key from configuration: the key itself or its SHA-256 hash (hex), and its scopes.</summary>
public sealed class ConfiguredApiKey
{
    public string Name { get; set; } = "configured";
    public string? Key { get; set; }
    public string? KeyHash { get; set; }
    public List<string> Scopes { get; set; } = [];
}
