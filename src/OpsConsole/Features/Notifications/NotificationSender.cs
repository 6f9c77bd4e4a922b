using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Notifications.Formats;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Notifications;

/// <summary>
/// Sends one notification to one channel through the "notifications" HTTP client (retries with exponential back-off by
/// Microsoft.Extensions.Http.Resilience) and records the outcome with how many attempts it took; failures count in
/// <c>opsconsole_notification_failures_total{channel}</c>.
/// </summary>
public sealed class NotificationSender(IHttpClientFactory clients, IEnumerable<IChannelFormat> formats, IDbContextFactory<OpsDbContext> databases,
    TimeProvider clock, ILogger<NotificationSender> logger)
{
    public const string ClientName = "notifications";

    private readonly Dictionary<string, IChannelFormat> _formats = formats.ToDictionary(f => f.Type);

    public async Task<NotificationDelivery> SendAsync(NotificationChannel channel, Notification notification, CancellationToken cancellationToken)
    {
        var attempts = AttemptCounter.Start();
        string? error = null;
        try
        {
            using var request = _formats[channel.Type].Request(channel, notification);
            using var response = await clients.CreateClient(ClientName).SendAsync(request, cancellationToken);
            if (!response.IsSuccessStatusCode)
                error = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}: {await ReadSomeAsync(response, cancellationToken)}";
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException && !cancellationToken.IsCancellationRequested)
        {
            error = ex.Message;
        }
        var delivery = new NotificationDelivery
        {
            At = clock.GetUtcNow(), Channel = channel.Name, What = FormatJson.Clip(notification.What, 500),
            Status = error is null ? NotificationDelivery.Delivered : NotificationDelivery.Failed,
            Error = error is null ? null : FormatJson.Clip(error, 2000), Attempts = attempts.Value,
        };
        if (error is not null)
        {
            OpsMetrics.NotificationFailures.WithLabels(channel.Name).Inc();
            logger.LogWarning("Notification to {Channel} failed after {Attempts} attempts: {Error}", channel.Name, attempts.Value, error);
        }
        await using var db = await databases.CreateDbContextAsync(CancellationToken.None);
        db.NotificationDeliveries.Add(delivery);
        await db.SaveChangesAsync(CancellationToken.None);
        return delivery;
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return FormatJson.Clip(text, 300);
    }
}

/// <summary>
/// Counts the HTTP attempts of one send. It sits inside the retry handler, so it sees each try; the count travels with
/// the send's async flow, which the handlers run in.
/// </summary>
public sealed class AttemptCounter : DelegatingHandler
{
    private static readonly AsyncLocal<StrongBox<int>?> Current = new();

    public static StrongBox<int> Start() => Current.Value = new StrongBox<int>(0);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Current.Value is { } box) Interlocked.Increment(ref box.Value);
        return base.SendAsync(request, cancellationToken);
    }
}
