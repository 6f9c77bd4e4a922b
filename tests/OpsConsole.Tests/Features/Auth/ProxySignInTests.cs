using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Auth;

namespace OpsConsole.Tests.Features.Auth;

/// <summary>
/// A trusted reverse proxy's user and role headers, on a real Kestrel socket (the address check needs a real peer):
/// accepted from the trusted network, ignored from anywhere else.
/// </summary>
public sealed class ProxySignInTests
{
    private sealed class ProxiedConsole : OpsConsoleFactory
    {
        public ProxiedConsole(string trustedNetwork) : base(new Dictionary<string, string?>
        {
            ["Auth:Proxy:UserHeader"] = "X-Forwarded-User",
            ["Auth:Proxy:RoleHeader"] = "X-Forwarded-Groups",
            ["Auth:Proxy:TrustedNetworks:0"] = trustedNetwork,
        })
        {
            UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
            StartServer();
            Address = new Uri(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        }

        public Uri Address { get; }

        public HttpClient Proxied(string user, string? groups)
        {
            var client = new HttpClient { BaseAddress = Address };
            client.DefaultRequestHeaders.Add("X-Forwarded-User", user);
            if (groups is not null) client.DefaultRequestHeaders.Add("X-Forwarded-Groups", groups);
            return client;
        }
    }

    [Fact]
    public async Task Headers_from_the_trusted_network_sign_the_user_in_with_the_named_role()
    {
        using var console = new ProxiedConsole("127.0.0.0/8");

        var operatorClient = console.Proxied("alice", "developers,Operator");
        var home = await operatorClient.GetAsync("/");
        Assert.Equal("/", home.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("alice · Operator", await home.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, (await operatorClient.PostAsync("/api/v1/reclassify", null)).StatusCode);
        Assert.Equal(1, console.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'reclassify' AND Actor = 'alice'"));

        // No role header: the default role (Viewer) reads but may not act.
        var viewer = console.Proxied("bob", null);
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/instances/failing")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/reclassify", null)).StatusCode);
    }

    [Fact]
    public async Task Headers_from_anywhere_else_are_ignored()
    {
        using var console = new ProxiedConsole("10.20.0.0/16");

        var forged = console.Proxied("mallory", "Admin");
        var home = await forged.GetAsync("/admin/users");
        Assert.Equal("/account/signin", home.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.PostAsync("/api/v1/reclassify", null)).StatusCode);
        Assert.Equal(0, console.Scalar("SELECT COUNT(*) FROM audit_log WHERE Actor = 'mallory'"));
    }

    [Fact]
    public async Task A_proxied_user_is_recorded_and_once_blocked_is_refused_and_fails_revalidation()
    {
        using var console = new ProxiedConsole("127.0.0.0/8");
        var carol = console.Proxied("carol", "Operator");
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/v1/instances/failing")).StatusCode);
        Assert.Equal(1, console.Scalar(
            "SELECT COUNT(*) FROM AspNetUserLogins l JOIN AspNetUserRoles ur ON ur.UserId = l.UserId JOIN AspNetRoles r ON r.Id = ur.RoleId " +
            "WHERE l.LoginProvider = 'proxy' AND l.ProviderKey = 'carol' AND r.Name = 'Operator'"));

        var external = console.Services.GetRequiredService<ExternalUsers>();
        var asOperator = Principal("carol", "Operator");
        Assert.True(await external.StillValidAsync(asOperator, CancellationToken.None));

        // The proxy now says Viewer (a request from another tab): the page opened as Operator must not keep acting as one.
        Assert.Equal(HttpStatusCode.OK, (await console.Proxied("carol", "Viewer").GetAsync("/api/v1/instances/failing")).StatusCode);
        Assert.False(await external.StillValidAsync(asOperator, CancellationToken.None));
        Assert.True(await external.StillValidAsync(Principal("carol", "Viewer"), CancellationToken.None));

        using (var scope = console.Services.CreateScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            var user = (await admin.ListAsync()).Single(u => u.Email == "carol");
            Assert.Equal(ExternalUsers.Proxy, user.SignsInWith);
            Assert.Empty(await admin.SetBlockedAsync(new Actor("root", null), user.Id, blocked: true));
        }
        Assert.False(await external.StillValidAsync(Principal("carol", "Viewer"), CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, (await carol.GetAsync("/api/v1/instances/failing")).StatusCode);
        var page = await carol.GetAsync("/");
        Assert.Equal("/account/denied", page.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("blocked", await page.Content.ReadAsStringAsync());
        Assert.Equal(1, console.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'user.block' AND Target = 'carol' AND Actor = 'root'"));

        using (var scope = console.Services.CreateScope())
        {
            var admin = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            var user = (await admin.ListAsync()).Single(u => u.Email == "carol");
            Assert.Empty(await admin.SetBlockedAsync(new Actor("root", null), user.Id, blocked: false));
        }
        Assert.Equal(HttpStatusCode.OK, (await carol.GetAsync("/api/v1/instances/failing")).StatusCode);
    }

    private static ClaimsPrincipal Principal(string user, string role) => new(new ClaimsIdentity(
        [new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, role), new Claim(ExternalUsers.LoginClaim, $"{ExternalUsers.Proxy}|{user}")],
        ProxyAuthenticationHandler.SchemeName));
}
