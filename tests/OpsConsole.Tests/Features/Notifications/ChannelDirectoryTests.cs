using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Notifications;
using OpsConsole.Features.Notifications.Formats;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>
/// Channels added on /admin/channels: stored encrypted, shown masked only, routed every failure at their minimum
/// severity, and testable with a message recorded like any delivery.
/// </summary>
public sealed class ChannelDirectoryTests : IAsyncLifetime
{
    private const string SecretPath = "/services/T1/B2/very-secret-token";
    private Receiver _receiver = null!;
    private NotificationConsole _console = null!;

    private ChannelDirectory Directory => _console.Services.GetRequiredService<ChannelDirectory>();

    public async Task InitializeAsync()
    {
        _receiver = await Receiver.StartAsync();
        _console = new NotificationConsole(NotificationConsole.OneChannel("alertmanager", "http://alertmanager.example.test:9093"));
    }

    public async Task DisposeAsync()
    {
        _console.Dispose();
        await _receiver.DisposeAsync();
    }

    [Fact]
    public async Task A_channel_added_on_the_page_is_stored_encrypted_and_shown_only_masked()
    {
        Assert.Null(await Directory.AddAsync("chat", "slack", _receiver.Url + SecretPath, null, "error", "admin@test.local", CancellationToken.None));

        await using (var db = await _console.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync())
        {
            var stored = await db.NotificationChannels.SingleAsync();
            Assert.DoesNotContain("very-secret-token", stored.ProtectedUrl);
            Assert.Equal(new Uri(_receiver.Url).GetLeftPart(UriPartial.Authority) + "/…", stored.MaskedUrl);
        }
        var channel = (await Directory.ChannelsAsync(CancellationToken.None)).Single(c => c.Name == "chat");
        Assert.Equal(_receiver.Url + SecretPath, channel.Url);

        var admin = await _console.SignedInClientAsync("Admin");
        var page = await admin.GetStringAsync("/admin/channels");
        Assert.Contains("chat", page);
        Assert.Contains("http://alertmanager.example.test:9093/&#x2026;", page); // the configured channel, masked as well
        Assert.DoesNotContain("very-secret-token", page);
    }

    [Fact]
    public async Task Wrong_fields_and_taken_names_are_refused_with_the_reason()
    {
        Assert.Equal("Url is not an absolute http(s) address.", await Directory.AddAsync("x", "slack", "ftp://host/x", null, "error", "a", CancellationToken.None));
        Assert.StartsWith("Secret is empty", await Directory.AddAsync("x", "webhook", "https://h/x", null, "error", "a", CancellationToken.None));
        Assert.Equal("A configured channel is named 'OPS'.", await Directory.AddAsync("OPS", "slack", "https://h/x", null, "error", "a", CancellationToken.None));
        Assert.Equal("Minimum severity 'loud' is unknown.", await Directory.AddAsync("x", "slack", "https://h/x", null, "loud", "a", CancellationToken.None));
        Assert.Empty(await Directory.StoredAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_page_channel_gets_failures_at_its_minimum_severity_and_a_test_message_on_request()
    {
        Assert.Null(await Directory.AddAsync("hook", "webhook", _receiver.Url + "/hook", "s3cret", "error", "admin@test.local", CancellationToken.None));
        await _console.ExitAsync("page-host", "db"); // OOMKilled: severity error
        await _console.DispatchAsync();
        var failure = (await _receiver.NextAsync()).Json;
        Assert.Equal("firing", failure.GetProperty("status").GetString());

        var channel = (await Directory.ChannelsAsync(CancellationToken.None)).Single(c => c.Name == "hook");
        var delivery = await _console.Dispatcher.SendTestAsync(channel, CancellationToken.None);
        Assert.Equal((NotificationDelivery.Delivered, "test message", 1), (delivery.Status, delivery.What, delivery.Attempts));
        var test = await _receiver.NextAsync();
        Assert.Contains("OpsConsole test message", test.Body);
        Assert.Equal(WebhookFormat.Sign(test.Body, "s3cret"), test.Headers["X-OpsConsole-Signature"].ToString());
        Assert.Contains(await Directory.RecentDeliveriesAsync(10, CancellationToken.None), d => d.What == "test message" && d.Channel == "hook");
    }
}
