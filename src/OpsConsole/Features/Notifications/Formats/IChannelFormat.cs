using System.Text;
using System.Text.Json;

namespace OpsConsole.Features.Notifications.Formats;

/// <summary>How one kind of receiver wants a notification: the request to send it.</summary>
public interface IChannelFormat
{
    string Type { get; }

    HttpRequestMessage Request(NotificationChannel channel, Notification notification);
}

internal static class FormatJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static string Serialize(object body) => JsonSerializer.Serialize(body, Options);

    public static HttpRequestMessage Post(string url, string json) =>
        new(HttpMethod.Post, url) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    /// <summary>Cuts text to a receiver's (or a column's) limit, marking the cut.</summary>
    public static string Clip(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    /// <summary>At most this many instances are listed in a chat message; the rest are counted.</summary>
    public const int ListedInstances = 10;

    public static string InstanceList(Notification notification, Func<NotifiedInstance, string> line)
    {
        var lines = notification.Instances.Take(ListedInstances).Select(line).ToList();
        if (notification.Instances.Count > ListedInstances) lines.Add($"… and {notification.Instances.Count - ListedInstances} more");
        return string.Join("\n", lines);
    }
}
