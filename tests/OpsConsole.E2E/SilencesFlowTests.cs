using System.Globalization;
using Microsoft.Playwright;
using OpsConsole.Features.Auth;
using OpsConsole.Tests;

namespace OpsConsole.E2E;

/// <summary>The Silences page and the mute length in a real browser: who silenced what, for how long, and ending it.</summary>
public sealed class SilencesFlowTests : IClassFixture<ConsoleServer>
{
    private readonly ConsoleServer _server;

    public SilencesFlowTests(ConsoleServer server) => _server = server;

    private static async Task ChooseAsync(IPage page, string select, string option)
    {
        await page.Locator(select).ClickAsync();
        await page.Locator(".mud-popover-open .mud-list-item", new() { HasText = option }).First.ClickAsync();
    }

    [Fact]
    public async Task An_operator_silences_a_pattern_for_four_hours_sees_it_listed_with_their_name_and_ends_it()
    {
        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=silence-host",
            """{"source":"docker","instance":"silence-e2e-web","exitCode":137,"reason":"OOMKilled"}""");
        var email = await _server.EnsureUserAsync(ConsoleRoles.Operator, "silencer@test.local");
        var page = await _server.SignedInPageAsync(ConsoleRoles.Operator, email);
        await page.GotoAsync("/?q=silence-e2e");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr", new() { HasText = "silence-e2e-web" }).WaitForAsync();

        await page.GotoAsync("/silences");
        await ConsoleServer.WaitForInteractiveAsync(page);
        // A time that is not a time is refused with a message, not turned into a silence that ends at once.
        await ChooseAsync(page, ".silence-for", "until a time");
        await page.Locator(".silence-until input").FillAsync("tomorrow-ish");
        await page.Locator(".silence-pattern input").FillAsync("*silence-e2e*");
        await page.Locator(".silence-reason input").FillAsync("planned memory test");
        await page.Locator(".silence-create").ClickAsync();
        Assert.Contains("is not a time", await page.Locator(".silence-error").TextContentAsync());
        Assert.Equal(0, _server.Scalar("SELECT COUNT(*) FROM silences WHERE Reason = 'planned memory test'"));

        await ChooseAsync(page, ".silence-for", "4 hours");
        var before = DateTimeOffset.UtcNow;
        await page.Locator(".silence-create").ClickAsync();
        var row = page.Locator(".silences tr.silence-active", new() { HasText = "planned memory test" });
        await row.WaitForAsync();
        Assert.Equal(email, (await row.Locator(".silence-author").TextContentAsync())?.Trim());
        var text = await row.TextContentAsync();
        Assert.Contains("instance=*silence-e2e*", text);
        Assert.True(new[] { before, DateTimeOffset.UtcNow }.Any(t => text!.Contains(t.AddHours(4).ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))),
            $"the end should be four hours on: {text}");
        await ConsoleServer.ScreenshotAsync(page, "42-silences");

        await page.GotoAsync("/?q=silence-e2e");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr", new() { HasText = "silence-e2e-web" }).WaitForAsync(new() { State = WaitForSelectorState.Detached });

        await page.GotoAsync("/silences");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await OperatorFlowTests.ClickUntilAsync(page, row.Locator(".silence-end"),
            "() => [...document.querySelectorAll('.silences tr.silence-ended')].some(r => r.textContent.includes('planned memory test'))");
        var ended = page.Locator(".silences tr.silence-ended", new() { HasText = "planned memory test" });
        Assert.Contains($"by {email}", await ended.Locator(".silence-status").TextContentAsync());

        await page.GotoAsync("/?q=silence-e2e");
        await page.Locator(".failing-list tbody tr", new() { HasText = "silence-e2e-web" }).WaitForAsync();
        Assert.Equal(1, _server.Scalar($"SELECT COUNT(*) FROM audit_log WHERE Action = 'silence.create' AND Actor = '{email}'"));
        Assert.Equal(1, _server.Scalar($"SELECT COUNT(*) FROM audit_log WHERE Action = 'silence.expire' AND Actor = '{email}'"));
    }

    [Fact]
    public async Task A_viewer_sees_silences_but_no_form_to_make_one()
    {
        var page = await _server.SignedInPageAsync(ConsoleRoles.Viewer);
        await page.GotoAsync("/silences");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".silences").WaitForAsync();
        Assert.Equal(0, await page.Locator(".silence-form, .silence-end").CountAsync());
        Assert.Empty(await Axe.SeriousViolationsAsync(page));
    }

    [Fact]
    public async Task A_mute_chosen_until_recovery_has_no_end_time()
    {
        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=mute-length",
            """{"source":"docker","instance":"mute-length-api","exitCode":1,"reason":"Error"}""");
        var page = await _server.SignedInPageAsync(ConsoleRoles.Operator);
        await page.GotoAsync("/?q=mute-length-api");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var row = page.Locator(".failing-list tbody tr", new() { HasText = "mute-length-api" });
        await OperatorFlowTests.ClickUntilAsync(page, row.Locator(".acknowledge"), "() => !!document.querySelector('.acknowledge-dialog textarea')");
        await page.Locator(".acknowledge-dialog textarea").FillAsync("waiting for the fix to roll out");
        await ChooseAsync(page, ".ack-mute-for", "until it recovers");
        await page.Locator(".acknowledge-dialog .ack-mute").ClickAsync();
        await row.WaitForAsync(new() { State = WaitForSelectorState.Detached });

        Assert.Equal(1, _server.Scalar(
            "SELECT COUNT(*) FROM instance_acknowledgements WHERE InstanceKey LIKE '%mute-length-api%' AND Status = 'muted' AND ExpiresAt IS NULL"));
    }
}
