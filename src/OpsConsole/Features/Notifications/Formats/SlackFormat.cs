namespace OpsConsole.Features.Notifications.Formats;

/// <summary>
/// A Slack incoming webhook: a Block Kit message (header, the category and instances, the evidence, then "Open runbook"
/// and "Acknowledge" link buttons), with <c>text</c> as the notification fallback Slack shows where blocks cannot be.
/// </summary>
public sealed class SlackFormat : IChannelFormat
{
    public string Type => ChannelTypes.Slack;

    public HttpRequestMessage Request(NotificationChannel channel, Notification notification)
    {
        var first = notification.First;
        var blocks = new List<object>
        {
            new { type = "header", text = new { type = "plain_text", text = FormatJson.Clip((notification.Firing ? "🔴 " : "✅ ") + notification.Summary, 150) } },
            new
            {
                type = "section",
                fields = new object[]
                {
                    new { type = "mrkdwn", text = $"*Category*\n`{notification.Category}`" },
                    new { type = "mrkdwn", text = $"*Severity*\n{notification.Severity}" },
                },
            },
            new
            {
                type = "section",
                text = new { type = "mrkdwn", text = FormatJson.Clip(FormatJson.InstanceList(notification, i => $"• <{i.ConsoleUrl}|{Escape(i.DisplayName)}> · {Escape(i.Source)}{(i.Location is { } l ? " · " + Escape(l) : "")}"), 3000) },
            },
        };
        if (notification.Firing && first.Evidence is { Length: > 0 } evidence)
            blocks.Add(new { type = "section", text = new { type = "mrkdwn", text = FormatJson.Clip($"*Evidence*\n```{evidence}```", 3000) } });
        blocks.Add(new
        {
            type = "actions",
            elements = new object[]
            {
                new { type = "button", text = new { type = "plain_text", text = "Open runbook" }, url = first.RunbookUrl, style = "primary" },
                new { type = "button", text = new { type = "plain_text", text = "Acknowledge" }, url = first.ConsoleUrl },
            },
        });
        return FormatJson.Post(channel.Url, FormatJson.Serialize(new { text = notification.Summary, blocks }));
    }

    /// <summary>Slack's mrkdwn treats &amp;, &lt; and &gt; as control characters.</summary>
    private static string Escape(string text) => text.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
}
