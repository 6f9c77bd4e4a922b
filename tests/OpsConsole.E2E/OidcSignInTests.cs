using System.Text.RegularExpressions;
using Microsoft.Playwright;
using OpsConsole.Features.Auth;
using OpsConsole.Tests;

namespace OpsConsole.E2E;

/// <summary>
/// Single sign-on end to end: Chromium follows the console's "Sign in with" link to a real OpenID Connect provider
/// (<see cref="OidcProvider"/>), signs in there, and comes back through the authorization code flow; the provider's
/// groups become console roles only through <c>Auth:Oidc:RoleMap</c>.
/// </summary>
[Collection(Collection)]
public sealed class OidcSignInTests : IClassFixture<OidcSignInTests.Server>
{
    // Alone: the provider is a second web host in this process, and a console test host starting beside it could
    // pick up the provider's host instead of its own.
    public const string Collection = "single sign-on";

    [CollectionDefinition(Collection, DisableParallelization = true)]
    public sealed class Definition;

    private readonly Server _server;

    public OidcSignInTests(Server server) => _server = server;

    public sealed class Server : ConsoleServer
    {
        private static Server? _starting;

        public Server() : this(OidcProvider.StartAsync(() => _starting!.BaseUrl + "/signin-oidc").GetAwaiter().GetResult()) { }

        private Server(OidcProvider provider) : base(new Dictionary<string, string?>
        {
            ["Auth:Oidc:Authority"] = provider.Url,
            ["Auth:Oidc:ClientId"] = OidcProvider.ClientId,
            ["Auth:Oidc:ClientSecret"] = OidcProvider.ClientSecret,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:DisplayName"] = "the test provider",
            ["Auth:Oidc:RoleClaim"] = "groups",
            ["Auth:Oidc:RoleMap:/sre"] = "Operator",
            ["Auth:Oidc:RoleMap:/platform-leads"] = "Admin",
        })
        {
            Provider = provider;
            _starting = this;
        }

        public OidcProvider Provider { get; }

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing) Provider.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>An anonymous browser opens the console, takes the single sign-on link and signs in at the provider.</summary>
    private async Task<IPage> SignInThroughProviderAsync(string email)
    {
        var page = await _server.NewPageAsync();
        // The first round trip also loads the provider's discovery document and keys, slow on a loaded machine.
        page.SetDefaultTimeout(45_000);
        await page.GotoAsync("/");
        await page.WaitForURLAsync(new Regex("/account/signin"));
        await page.Locator(".account-sso", new() { HasText = "Sign in with the test provider" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(_server.Provider.Url + "/connect/authorize", StringComparison.Ordinal));
        await page.SelectOptionAsync(".provider-signin select", email);
        await page.ClickAsync(".provider-signin button");
        await page.WaitForURLAsync(url => url.StartsWith(_server.BaseUrl, StringComparison.Ordinal)
                                          && !url.Contains("/signin-oidc", StringComparison.Ordinal) && !url.Contains("/account/signin", StringComparison.Ordinal));
        return page;
    }

    [Fact]
    public async Task A_provider_group_mapped_to_operator_signs_in_with_the_code_flow_and_acknowledges_under_its_name()
    {
        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=sso-host",
            """{"source":"docker","instance":"sso-web","exitCode":137,"reason":"OOMKilled"}""");

        var page = await SignInThroughProviderAsync("oncall@example.test");
        await page.GotoAsync("/?q=sso-web");
        await ConsoleServer.WaitForInteractiveAsync(page);
        Assert.Contains("oncall@example.test · Operator", await page.Locator(".signed-in-user").TextContentAsync());
        Assert.Equal(0, await page.Locator(".main-nav a[href='/admin/users']").CountAsync());
        await ConsoleServer.ScreenshotAsync(page, "40-sso-operator");

        var row = page.Locator(".failing-list tbody tr", new() { HasText = "sso-web" });
        await OperatorFlowTests.ClickUntilAsync(page, row.Locator(".acknowledge"), "() => !!document.querySelector('.acknowledge-dialog textarea')");
        await page.Locator(".acknowledge-dialog textarea").FillAsync("on it, from single sign-on");
        await page.Locator(".acknowledge-dialog .ack-confirm").ClickAsync();
        await row.Locator(".ack-chip").WaitForAsync();

        Assert.Equal(1, _server.Scalar("SELECT COUNT(*) FROM audit_log WHERE Actor = 'oncall@example.test' AND Action = 'signin' AND Detail = 'single sign-on'"));
        Assert.Equal(1, _server.Scalar("SELECT COUNT(*) FROM audit_log WHERE Actor = 'oncall@example.test' AND Action = 'instance.acknowledge' AND Target LIKE '%sso-web%'"));
        Assert.Equal(1, _server.Scalar("SELECT COUNT(*) FROM instance_acknowledgements WHERE By = 'oncall@example.test'"));
    }

    [Fact]
    public async Task A_provider_group_mapped_to_admin_reaches_the_admin_pages()
    {
        var page = await SignInThroughProviderAsync("lead@example.test");
        await ConsoleServer.WaitForInteractiveAsync(page);
        Assert.Contains("lead@example.test · Admin", await page.Locator(".signed-in-user").TextContentAsync());

        // The navigation drawer is folded below 1920 px wide: the link is there, the page is opened by its address.
        await page.Locator(".main-nav a[href='/admin/keys']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await page.GotoAsync("/admin/keys");
        await page.Locator(".key-create").WaitForAsync();
    }

    [Fact]
    public async Task Someone_the_provider_knows_but_whose_groups_map_to_no_role_is_refused_every_page()
    {
        var page = await SignInThroughProviderAsync("visitor@example.test");
        await page.Locator(".access-denied").WaitForAsync();
        Assert.Equal(0, await page.Locator(".failing-list").CountAsync());

        var api = await page.APIRequest.GetAsync("/api/v1/records");
        Assert.Equal(403, api.Status);
    }

    [Fact]
    public async Task A_single_sign_on_user_an_admin_blocks_loses_the_open_page_and_cannot_sign_in_again()
    {
        var page = await SignInThroughProviderAsync("contractor@example.test");
        await page.GotoAsync("/sources");
        await ConsoleServer.WaitForInteractiveAsync(page);

        // The first sign-in left a record an admin can see and block.
        var admin = await _server.SignedInPageAsync(ConsoleRoles.Admin);
        await admin.GotoAsync("/admin/users");
        await ConsoleServer.WaitForInteractiveAsync(admin);
        var row = admin.Locator(".users tr", new() { HasText = "contractor@example.test" });
        Assert.Contains("single sign-on", await row.TextContentAsync());
        Assert.Contains("Operator", await row.TextContentAsync());
        await ConsoleServer.ScreenshotAsync(admin, "41-users-with-sso");
        await row.Locator(".user-block").ClickAsync();
        await row.Locator(".user-unblock").WaitForAsync();

        // The open page notices at its next revalidation; a new sign-in at the provider is turned away.
        await page.WaitForURLAsync(new Regex("/account/(signin|denied)"), new() { Timeout = 15_000 });
        await page.Context.ClearCookiesAsync();
        await page.GotoAsync("/account/signin");
        await page.Locator(".account-sso").ClickAsync();
        await page.SelectOptionAsync(".provider-signin select", "contractor@example.test");
        await page.ClickAsync(".provider-signin button");
        await page.WaitForURLAsync(new Regex("/account/denied"));
        Assert.Contains("blocked", await page.Locator(".access-denied").TextContentAsync());
        Assert.Equal(1, _server.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'user.block' AND Target = 'contractor@example.test'"));
    }
}
