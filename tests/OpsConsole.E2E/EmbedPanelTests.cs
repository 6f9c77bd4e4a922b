using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpsConsole.Features.Embed;
using OpsConsole.Tests;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.E2E;

/// <summary>A panel inside an iframe on another site's page, updating live; and the kiosk rotation.</summary>
public sealed class EmbedPanelTests : IClassFixture<EmbedPanelTests.Server>
{
    private const string Token = "noc-wall-3f9d";
    private readonly Server _server;

    public EmbedPanelTests(Server server) => _server = server;

    public sealed class Server() : ConsoleServer(new Dictionary<string, string?>
    {
        ["Embed:Tokens:0"] = Token,
        // The host page is another origin on loopback (its own port): chromium keeps public pages from framing loopback.
        ["Embed:FrameAncestors"] = "http://127.0.0.1:*",
    });

    [Fact]
    public async Task A_framed_panel_shows_a_newly_ingested_record_without_reload()
    {
        using var host = HostPage.Serve($"<html><body style='margin:0'><h1>NOC wall</h1><iframe id='panel' src='{_server.BaseUrl}/embed/failing?token={Token}&title=Wall' style='width:1200px;height:700px;border:0'></iframe></body></html>");
        var page = await _server.NewPageAsync();
        await page.GotoAsync(host.Url);
        var frame = page.FrameLocator("#panel");
        await frame.Locator(".panel-failing .panel-title").WaitForAsync();
        // The panel is another origin: ask its own frame whether its circuit is up.
        var panelFrame = page.Frames.Single(f => f.Url.Contains("/embed/failing", StringComparison.Ordinal));
        await panelFrame.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'");
        Assert.Equal(0, await frame.Locator("tr[data-instance*='framed-host']").CountAsync());
        var navigations = 0;
        page.FrameNavigated += (_, f) => { if (f != page.MainFrame) navigations++; };

        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=framed-host", Samples.Read("docker/event-die-exit1-app-error-api152.json"));

        await frame.Locator("tr[data-instance*='framed-host']").WaitForAsync(new() { Timeout = 5_000 });
        Assert.Equal(0, navigations);
        await ConsoleServer.ScreenshotAsync(page, "20-embed-in-iframe");
    }

    [Fact]
    public async Task The_rotation_cycles_through_its_panels()
    {
        var page = await _server.NewPageAsync();
        await page.GotoAsync($"/embed/rotate?panels=failing,sources&interval=5&token={Token}");
        await page.Locator(".panel-failing").WaitForAsync();
        await ConsoleServer.ScreenshotAsync(page, "21-rotate-failing");

        await page.Locator(".panel-sources").WaitForAsync(new() { Timeout = 9_000 });
        await ConsoleServer.ScreenshotAsync(page, "22-rotate-sources");
    }

    [Fact]
    public async Task The_summary_panel_is_chromeless_and_light_on_request()
    {
        await _server.CreateApiClient().PostOkAsync("/api/v1/vm-events?cloud=wall", Samples.Read("nova/server-fault-no-valid-host.json"));
        var page = await _server.NewPageAsync();
        await page.GotoAsync($"/embed/summary?theme=light&token={Token}");
        await page.Locator(".panel-summary tr[data-family='vm']").WaitForAsync();

        Assert.Equal(0, await page.Locator(".mud-appbar, .mud-drawer, nav").CountAsync());
        Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>("() => getComputedStyle(document.querySelector('.embed')).backgroundColor"));
        await ConsoleServer.ScreenshotAsync(page, "23-summary-light");
    }

    [Fact]
    public async Task A_panel_circuit_opens_no_operator_page_and_no_panel_its_token_was_not_made_for()
    {
        var (_, secret) = await _server.Services.GetRequiredService<EmbedTokenStore>()
            .CreateAsync("one wall", EmbedScope.Of("/embed/failing", _ => null), CancellationToken.None);
        var page = await _server.NewPageAsync();
        // As behind a proxy that passes only panels and Blazor's own traffic: what the circuit shows is all it gets.
        var refused = new List<string>();
        await page.RouteAsync("**/*", route =>
        {
            var path = new Uri(route.Request.Url).AbsolutePath;
            if (path.StartsWith("/embed", StringComparison.Ordinal) || path.StartsWith("/_", StringComparison.Ordinal) || Path.HasExtension(path))
                return route.ContinueAsync();
            lock (refused) refused.Add(path);
            return route.AbortAsync();
        });
        await page.GotoAsync($"/embed/failing?token={secret}");
        await page.Locator(".panel-failing").WaitForAsync();
        await page.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'");

        // The circuit is told to show the panels page (where tokens are made): it renders nothing of it and sends the
        // browser to the sign-in page, which the proxy refuses.
        await page.EvaluateAsync("() => Blazor.navigateTo('/panels')");
        await page.WaitForFunctionAsync("() => !document.querySelector('.panel-failing')");
        Assert.Equal(0, await page.Locator(".panel-builder, .token-create, .failing-list").CountAsync());
        await Task.Delay(1000);
        Assert.Equal(0, await page.Locator(".panel-builder, .token-create, .failing-list").CountAsync());
        lock (refused) Assert.Contains("/account/signin", refused);

        // Another panel on the same token: closed at once, not after the next token check.
        var other = await _server.NewPageAsync();
        await other.GotoAsync($"/embed/failing?token={secret}");
        await other.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'");
        await other.EvaluateAsync($"() => Blazor.navigateTo('/embed/summary?token={secret}')");
        await other.Locator(".panel-closed").WaitForAsync();
        Assert.Equal(0, await other.Locator(".panel-summary").CountAsync());
    }

    [Fact]
    public async Task The_builder_makes_a_token_previews_the_panel_and_gives_the_snippet()
    {
        var page = await _server.SignedInPageAsync(OpsConsole.Features.Auth.ConsoleRoles.Admin);
        await page.GotoAsync("/panels");
        await ConsoleServer.WaitForInteractiveAsync(page);

        await page.Locator(".token-label input").FillAsync("lobby wall");
        await page.Locator(".token-create").ClickAsync();
        var secret = (await page.Locator(".token-secret code").TextContentAsync())!.Trim();
        Assert.StartsWith("emb_", secret);
        var preview = page.FrameLocator(".panel-preview");
        await preview.Locator(".panel-failing").WaitForAsync();
        Assert.Contains($"token={secret}", await page.Locator(".panel-snippet textarea").InputValueAsync());
        await ConsoleServer.ScreenshotAsync(page, "24-panels-builder");

        var wall = await _server.NewPageAsync();
        await wall.GotoAsync((await page.Locator(".panel-preview").GetAttributeAsync("src"))!);
        await wall.Locator(".panel-failing").WaitForAsync();
        await wall.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'");

        var row = page.Locator("tr", new() { HasText = "lobby wall" });
        await row.Locator(".token-revoke").ClickAsync();
        await row.Locator("td", new() { HasText = "revoked" }).WaitForAsync();
        // A wall screen opened with that token closes within seconds, without a reload.
        await wall.Locator(".panel-closed").WaitForAsync(new() { Timeout = 10_000 });
        Assert.Equal(0, await wall.Locator(".panel-failing").CountAsync());
        var revoked = await _server.CreateClient().GetAsync($"/embed/failing?token={secret}");
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, revoked.StatusCode);
    }

    [Fact]
    public async Task A_panel_is_dimmed_under_a_stale_banner_when_the_console_goes_away_and_reloads_itself_when_it_is_back()
    {
        var folder = Directory.CreateTempSubdirectory("opsconsole-restart-");
        var database = Path.Combine(folder.FullName, "ops.db");
        var first = ConsoleProcess.Start(database, "restart-key", null, "--Embed:AllowAnonymous=true");
        await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        var port = first.Port;
        var page = await _server.NewPageAsync();
        await page.GotoAsync($"http://127.0.0.1:{port}/embed/failing");
        await page.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'");

        await first.DisposeAsync();
        // The page loads MudBlazor's stylesheet, whose own reconnect rule once made this banner invisible.
        Assert.True(await page.EvaluateAsync<bool>("() => [...document.styleSheets].some(s => (s.href || '').includes('MudBlazor'))"));
        var banner = page.Locator("#components-reconnect-modal");
        await banner.WaitForAsync(new() { State = WaitForSelectorState.Visible, Timeout = 20_000 });
        Assert.Matches(@"Disconnected since \d\d:\d\d:\d\d UTC", await banner.TextContentAsync());
        Assert.Contains(await banner.EvaluateAsync<string>("b => getComputedStyle(b).backgroundColor"), new[] { "rgb(255, 183, 77)", "rgb(255, 138, 128)" });
        Assert.True(await page.EvaluateAsync<double>("() => +getComputedStyle(document.querySelector('.embed')).opacity") < 0.6, "the stale panel is not dimmed");
        await ConsoleServer.ScreenshotAsync(page, "25-panel-stale");

        await using var second = ConsoleProcess.Start(database, "restart-key", port, "--Embed:AllowAnonymous=true");
        await second.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using var api = second.CreateClient("restart-key");
        var response = await api.PostAsync("/api/v1/container-exits?host=after-restart",
            new StringContent(Samples.Read("docker/event-die-exit1-app-error-api152.json"), System.Text.Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();

        await page.Locator("tr[data-instance*='after-restart']").WaitForAsync(new() { Timeout = 60_000 });
        await page.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'");
        folder.Delete(recursive: true);
    }
}
