using System.Security.Cryptography;
using System.Text;

namespace OpsConsole.Features.Notifications.Formats;

/// <summary>
/// The console's own JSON body, one object per notification (a group adds <c>instances</c>), signed so the receiver can
/// check it came from here: <c>X-OpsConsole-Signature: sha256=&lt;hex HMAC-SHA256 of the body bytes, keyed by the channel's secret&gt;</c>.
/// </summary>
public sealed class WebhookFormat : IChannelFormat
{
    public const string SignatureHeader = "X-OpsConsole-Signature";

    public string Type => ChannelTypes.Webhook;

    public HttpRequestMessage Request(NotificationChannel channel, Notification notification)
    {
        var first = notification.First;
        var body = new Dictionary<string, object?>
        {
            ["status"] = notification.Status,
            ["category"] = notification.Category,
            ["severity"] = notification.Severity,
            ["instance"] = first.InstanceKey,
            ["source"] = first.Source,
            ["summary"] = notification.Summary,
            ["evidence"] = first.Evidence,
            ["runbookUrl"] = first.RunbookUrl,
            ["consoleUrl"] = first.ConsoleUrl,
            ["firstSeen"] = notification.Instances.Min(i => i.FirstSeen),
            ["lastSeen"] = notification.Instances.Max(i => i.LastSeen),
            ["count"] = notification.Instances.Sum(i => i.Count),
        };
        if (notification.Instances.Count > 1)
            body["instances"] = notification.Instances.Select(i => new
            {
                instance = i.InstanceKey, name = i.DisplayName, source = i.Source, location = i.Location, severity = i.Severity,
                evidence = i.Evidence, runbookUrl = i.RunbookUrl, consoleUrl = i.ConsoleUrl, firstSeen = i.FirstSeen, lastSeen = i.LastSeen, count = i.Count,
            });
        var json = FormatJson.Serialize(body);
        var request = FormatJson.Post(channel.Url, json);
        request.Headers.Add(SignatureHeader, Sign(json, channel.Secret ?? ""));
        return request;
    }

    public static string Sign(string body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));
}
