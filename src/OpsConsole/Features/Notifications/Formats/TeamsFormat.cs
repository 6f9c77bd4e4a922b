namespace OpsConsole.Features.Notifications.Formats;

/// <summary>
/// A Microsoft Teams Workflows webhook ("Post to a channel when a webhook request is received"): a message whose one
/// attachment is an Adaptive Card. Workflow URLs live on several Microsoft hosts, so the URL's host is not checked.
/// </summary>
public sealed class TeamsFormat : IChannelFormat
{
    public const string CardContentType = "application/vnd.microsoft.card.adaptive";

    public string Type => ChannelTypes.Teams;

    public HttpRequestMessage Request(NotificationChannel channel, Notification notification)
    {
        var first = notification.First;
        var body = new List<object>
        {
            new { type = "TextBlock", text = notification.Summary, weight = "Bolder", size = "Medium", wrap = true, color = notification.Firing ? "Attention" : "Good" },
            new
            {
                type = "FactSet",
                facts = new object[]
                {
                    new { title = "Category", value = notification.Category },
                    new { title = "Severity", value = notification.Severity },
                    new { title = "Source", value = first.Source },
                    new { title = "Instances", value = notification.Instances.Count.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                },
            },
            new { type = "TextBlock", text = FormatJson.InstanceList(notification, i => $"- [{i.DisplayName}]({i.ConsoleUrl})"), wrap = true },
        };
        if (notification.Firing && first.Evidence is { Length: > 0 } evidence)
            body.Add(new { type = "TextBlock", text = evidence, wrap = true, fontType = "Monospace", isSubtle = true });
        var card = new Dictionary<string, object>
        {
            ["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json",
            ["type"] = "AdaptiveCard",
            ["version"] = "1.4",
            ["body"] = body,
            ["actions"] = new object[]
            {
                new { type = "Action.OpenUrl", title = "Open runbook", url = first.RunbookUrl },
                new { type = "Action.OpenUrl", title = "Acknowledge", url = first.ConsoleUrl },
            },
        };
        var message = new
        {
            type = "message",
            attachments = new object[] { new { contentType = CardContentType, contentUrl = (string?)null, content = card } },
        };
        return FormatJson.Post(channel.Url, FormatJson.Serialize(message));
    }
}
