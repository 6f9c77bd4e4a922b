using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Features.Notifications;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>Every send is recorded with its attempts; transient failures are retried with back-off; lasting ones are counted.</summary>
public sealed class DeliveryTests
{
    private static async Task<List<NotificationDelivery>> DeliveriesAsync(NotificationConsole console)
    {
        await using var db = await console.Services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContextAsync();
        return await db.NotificationDeliveries.OrderBy(d => d.Id).ToListAsync();
    }

    [Fact]
    public async Task A_receiver_that_fails_twice_then_succeeds_gets_the_message_once_after_three_attempts()
    {
        await using var receiver = await Receiver.StartAsync(n => n <= 2 ? 503 : 200);
        using var console = new NotificationConsole(NotificationConsole.OneChannel("slack", receiver.Url + "/hook"));
        await console.ExitAsync("retry-host", "db");
        await console.DispatchAsync();

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++) statuses.Add((await receiver.NextAsync()).Status);
        Assert.Equal([503, 503, 200], statuses);
        var delivery = Assert.Single(await DeliveriesAsync(console));
        Assert.Equal((NotificationDelivery.Delivered, 3, "ops"), (delivery.Status, delivery.Attempts, delivery.Channel));
        Assert.StartsWith("firing ", delivery.What);
        await console.DispatchAsync();
        Assert.Empty(receiver.Drain()); // delivered once: nothing more to send
    }

    [Fact]
    public async Task A_receiver_that_keeps_failing_is_recorded_with_its_error_and_counted_per_channel()
    {
        await using var receiver = await Receiver.StartAsync(_ => 500);
        // The failure counter is process-wide and other tests' receivers fail too: a channel name of its own keeps the count exact.
        const string Channel = "teams-always-500";
        using var console = new NotificationConsole(NotificationConsole.OneChannel("teams", receiver.Url + "/hook", channel: Channel));
        var before = OpsMetrics.NotificationFailures.WithLabels(Channel).Value;
        await console.ExitAsync("broken-host", "db");
        await console.DispatchAsync();

        var delivery = Assert.Single(await DeliveriesAsync(console));
        Assert.Equal(NotificationDelivery.Failed, delivery.Status);
        Assert.Equal(4, delivery.Attempts); // the first try and three retries
        Assert.StartsWith("HTTP 500", delivery.Error);
        Assert.Equal(before + 1, OpsMetrics.NotificationFailures.WithLabels(Channel).Value);
        var metrics = await console.CreateClient().GetStringAsync("/metrics");
        Assert.Contains($"opsconsole_notification_failures_total{{channel=\"{Channel}\"}}", metrics);
    }
}
