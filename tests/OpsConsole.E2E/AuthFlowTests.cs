using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Auth;
using OpsConsole.Tests;

namespace OpsConsole.E2E;

/// <summary>Sign-in, roles and revocation through the real pages in Chromium.</summary>
public sealed class AuthFlowTests : IClassFixture<ConsoleServer>
{
    private readonly ConsoleServer _server;

    public AuthFlowTests(ConsoleServer server) => _server = server;

    [Fact]
    public async Task An_anonymous_browser_lands_on_sign_in_and_the_initial_admin_signs_in_through_the_page()
    {
        var page = await _server.NewPageAsync();

        await page.GotoAsync("/instances");
        await page.WaitForURLAsync(new Regex("/account/signin"));
        Assert.Equal(0, await page.Locator(".mud-drawer, .failing-list").CountAsync());
        await ConsoleServer.ScreenshotAsync(page, "30-sign-in");

        await page.FillAsync("input[name=email]", OpsConsoleFactory.AdminEmail);
        await page.FillAsync("input[name=password]", OpsConsoleFactory.Password);
        await page.ClickAsync("button.account-submit");
        await page.WaitForURLAsync(new Regex("/instances$"));
        await ConsoleServer.WaitForInteractiveAsync(page);
        Assert.Contains(OpsConsoleFactory.AdminEmail, await page.Locator(".signed-in-user").TextContentAsync());
        // The navigation drawer is folded below 1920 px wide: the admin links are there, pages are opened by address.
        await page.Locator(".main-nav a[href='/admin/users']").WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Attached });

        await page.GotoAsync("/admin/audit");
        await page.Locator(".audit-entries tr[data-action='signin']", new() { HasText = OpsConsoleFactory.AdminEmail }).First.WaitForAsync();
        await ConsoleServer.ScreenshotAsync(page, "31-audit-trail");
    }

    [Fact]
    public async Task A_viewer_sees_no_operator_actions_and_is_refused_admin_pages()
    {
        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=viewer-host",
            """{"source":"docker","instance":"viewer-web","exitCode":137,"reason":"OOMKilled"}""");
        var page = await _server.SignedInPageAsync(ConsoleRoles.Viewer);

        await page.GotoAsync("/?q=viewer-web");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var row = page.Locator(".failing-list tbody tr", new() { HasText = "viewer-web" });
        await row.WaitForAsync();
        Assert.Equal(0, await row.Locator(".acknowledge").CountAsync());
        Assert.Equal(1, await row.Locator(".open-runbook").CountAsync());
        Assert.Equal(0, await page.Locator(".main-nav a[href='/admin/users']").CountAsync());

        await row.Locator(".open-runbook").ClickAsync();
        await page.Locator(".runbook-step").First.WaitForAsync();
        Assert.True(await page.Locator(".runbook-step input[type=checkbox]").First.IsDisabledAsync());

        await page.GotoAsync("/admin/users");
        await page.Locator(".access-denied").WaitForAsync();
    }

    [Fact]
    public async Task A_removed_user_loses_the_open_page_without_reloading_it()
    {
        var email = await _server.EnsureUserAsync(ConsoleRoles.Operator, "leaving@test.local");
        var page = await _server.SignedInPageAsync(ConsoleRoles.Operator, email);
        await page.GotoAsync("/sources");
        await ConsoleServer.WaitForInteractiveAsync(page);

        using (var scope = _server.Services.CreateScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            Assert.True((await users.DeleteAsync((await users.FindByEmailAsync(email))!)).Succeeded);
        }

        await page.WaitForURLAsync(new Regex("/account/signin"), new() { Timeout = 15_000 });
    }

    [Fact]
    public async Task An_admin_makes_a_scoped_key_that_is_shown_once_and_works_only_for_its_scope()
    {
        var page = await _server.SignedInPageAsync(ConsoleRoles.Admin);
        await page.GotoAsync("/admin/keys");
        await ConsoleServer.WaitForInteractiveAsync(page);

        await page.Locator(".key-name input").FillAsync("grafana reader");
        await page.Locator(".key-create").ClickAsync();
        var secret = (await page.Locator(".key-secret code").TextContentAsync())!.Trim();
        Assert.StartsWith("opk_", secret);
        await ConsoleServer.ScreenshotAsync(page, "32-api-keys");

        var client = _server.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", secret);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/api/v1/records")).StatusCode);
        var ingest = await client.PostJsonTextAsync("/api/v1/container-exits", """{"source":"docker","instance":"k","host":"h","exitCode":1}""");
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, ingest.StatusCode);

        var row = page.Locator(".keys tr", new() { HasText = "grafana reader" });
        await row.Locator(".key-revoke").ClickAsync();
        await row.Locator(".key-status", new() { HasText = "revoked" }).WaitForAsync();
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/records")).StatusCode);
    }
}
