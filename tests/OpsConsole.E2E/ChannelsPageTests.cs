using OpsConsole.Features.Auth;
using OpsConsole.Tests.Features.Notifications;

namespace OpsConsole.E2E;

/// <summary>The Admin-only channels page in Chromium: add a channel, send it a test message, see the delivery, remove it.</summary>
public sealed class ChannelsPageTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    [Fact]
    public async Task An_admin_adds_a_channel_sends_it_a_test_message_and_sees_the_delivery()
    {
        await using var receiver = await Receiver.StartAsync();
        var page = await server.SignedInPageAsync(ConsoleRoles.Admin);
        await page.GotoAsync("/admin/channels");
        await ConsoleServer.WaitForInteractiveAsync(page);

        await page.Locator(".channel-name input").FillAsync("e2e-chat");
        await page.Locator(".channel-new-url input").FillAsync(receiver.Url + "/services/T1/B2/secret-part");
        await page.Locator(".channel-add").ClickAsync();
        var row = page.Locator(".channels tr", new() { HasText = "e2e-chat" });
        await row.WaitForAsync();
        Assert.Equal(new Uri(receiver.Url).GetLeftPart(UriPartial.Authority) + "/…", (await row.Locator(".channel-url").TextContentAsync())!.Trim());
        Assert.DoesNotContain("secret-part", await page.ContentAsync());

        await row.Locator(".channel-test").ClickAsync();
        var received = await receiver.NextAsync();
        Assert.Equal("/services/T1/B2/secret-part", received.Path);
        Assert.Contains("OpsConsole test message", received.Body);
        await page.Locator(".deliveries tr.delivery-delivered", new() { HasText = "test message" }).WaitForAsync();
        await ConsoleServer.ScreenshotAsync(page, "44-notification-channels");
        Assert.Equal(1, server.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'channel.create' AND Target = 'e2e-chat'"));
        Assert.Equal(1, server.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'channel.test' AND Target = 'e2e-chat'"));

        await row.Locator(".channel-remove").ClickAsync();
        await row.WaitForAsync(new() { State = Microsoft.Playwright.WaitForSelectorState.Detached });
    }
}
