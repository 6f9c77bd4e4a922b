using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>
/// Each channel type against a receiver on loopback that checks the body shape the real receiver documents:
/// Alertmanager's v2 alert array, a Slack Block Kit message, a Teams Workflows Adaptive Card envelope, the signed webhook.
/// </summary>
public sealed class ChannelFormatTests
{
    private const string Secret = "hmac-key-for-tests";

    private static async Task<Receiver.Received> FirstMessageAsync(string type, string path, Func<Receiver.Received, string?>? fault = null)
    {
        await using var receiver = await Receiver.StartAsync();
        using var console = new NotificationConsole(NotificationConsole.OneChannel(type, receiver.Url + path, type == "webhook" ? Secret : null));
        await console.ExitAsync("format-host", "db");
        await console.DispatchAsync();
        var received = await receiver.NextAsync();
        Assert.Contains("application/json", received.Headers.ContentType.ToString());
        Assert.Contains("format-host", received.Body); // the instance is named
        return received;
    }

    private static string[] Keys(JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();

    private static void AssertRunbookLink(string? url) =>
        Assert.Matches($"^{Regex.Escape(NotificationConsole.PublicBaseUrl)}/runbooks/[a-z0-9.-]+\\?record=\\d+$", url);

    [Fact]
    public async Task Alertmanager_gets_a_v2_alert_array_with_the_labels_and_annotations_it_documents()
    {
        var received = await FirstMessageAsync("alertmanager", "");
        Assert.Equal("/api/v2/alerts", received.Path);
        var alerts = received.Json;
        Assert.Equal(JsonValueKind.Array, alerts.ValueKind);
        var alert = Assert.Single(alerts.EnumerateArray());
        Assert.Equal(["annotations", "endsAt", "generatorURL", "labels", "startsAt"], Keys(alert));
        var labels = alert.GetProperty("labels");
        foreach (var label in labels.EnumerateObject())
        {
            Assert.Matches("^[a-zA-Z_][a-zA-Z0-9_]*$", label.Name);
            Assert.Equal(JsonValueKind.String, label.Value.ValueKind);
        }
        foreach (var name in new[] { "alertname", "category", "family", "severity", "source", "instance" })
            Assert.False(string.IsNullOrEmpty(labels.GetProperty(name).GetString()), name);
        Assert.Equal("docker", labels.GetProperty("source").GetString());
        Assert.StartsWith(labels.GetProperty("family").GetString() + ".", labels.GetProperty("category").GetString());
        var annotations = alert.GetProperty("annotations");
        Assert.Equal(["description", "runbook_url", "summary"], Keys(annotations));
        AssertRunbookLink(annotations.GetProperty("runbook_url").GetString());
        var startsAt = DateTimeOffset.Parse(alert.GetProperty("startsAt").GetString()!, CultureInfo.InvariantCulture);
        var endsAt = DateTimeOffset.Parse(alert.GetProperty("endsAt").GetString()!, CultureInfo.InvariantCulture);
        Assert.True(endsAt > DateTimeOffset.UtcNow, "a firing alert ends in the future, so Alertmanager keeps it until re-sent");
        Assert.True(startsAt < endsAt);
        Assert.StartsWith(NotificationConsole.PublicBaseUrl + "/instances/", alert.GetProperty("generatorURL").GetString());
    }

    [Fact]
    public async Task Slack_gets_a_Block_Kit_message_with_runbook_and_acknowledge_buttons()
    {
        var received = await FirstMessageAsync("slack", "/services/T000/B000/XXXX");
        Assert.Equal("/services/T000/B000/XXXX", received.Path);
        var message = received.Json;
        Assert.Equal(["blocks", "text"], Keys(message));
        var blocks = message.GetProperty("blocks").EnumerateArray().ToList();
        Assert.InRange(blocks.Count, 1, 50);
        Assert.All(blocks, b => Assert.Contains(b.GetProperty("type").GetString(), new[] { "header", "section", "actions" }));
        var header = blocks[0].GetProperty("text");
        Assert.Equal("plain_text", header.GetProperty("type").GetString());
        Assert.InRange(header.GetProperty("text").GetString()!.Length, 1, 150);
        foreach (var section in blocks.Where(b => b.GetProperty("type").GetString() == "section"))
        {
            var texts = section.TryGetProperty("fields", out var fields) ? fields.EnumerateArray().ToList() : [section.GetProperty("text")];
            Assert.All(texts, t => Assert.Equal("mrkdwn", t.GetProperty("type").GetString()));
            Assert.All(texts, t => Assert.InRange(t.GetProperty("text").GetString()!.Length, 1, 3000));
        }
        Assert.Contains(blocks, b => b.TryGetProperty("text", out var t) && t.GetProperty("text").GetString()!.StartsWith("*Evidence*", StringComparison.Ordinal));
        var buttons = blocks.Single(b => b.GetProperty("type").GetString() == "actions").GetProperty("elements").EnumerateArray().ToList();
        Assert.All(buttons, b => Assert.Equal("button", b.GetProperty("type").GetString()));
        var runbook = buttons.Single(b => b.GetProperty("text").GetProperty("text").GetString() == "Open runbook");
        AssertRunbookLink(runbook.GetProperty("url").GetString());
        var acknowledge = buttons.Single(b => b.GetProperty("text").GetProperty("text").GetString() == "Acknowledge");
        Assert.StartsWith(NotificationConsole.PublicBaseUrl + "/instances/", acknowledge.GetProperty("url").GetString());
    }

    [Fact]
    public async Task Teams_gets_an_Adaptive_Card_in_the_Workflows_message_envelope()
    {
        // A Workflows URL on any host: the console does not insist on a Microsoft one.
        var received = await FirstMessageAsync("teams", "/workflows/abc/triggers/manual/paths/invoke");
        var message = received.Json;
        Assert.Equal(["attachments", "type"], Keys(message));
        Assert.Equal("message", message.GetProperty("type").GetString());
        var attachment = Assert.Single(message.GetProperty("attachments").EnumerateArray());
        Assert.Equal("application/vnd.microsoft.card.adaptive", attachment.GetProperty("contentType").GetString());
        Assert.Equal(JsonValueKind.Null, attachment.GetProperty("contentUrl").ValueKind);
        var card = attachment.GetProperty("content");
        Assert.Equal("AdaptiveCard", card.GetProperty("type").GetString());
        Assert.Equal("http://adaptivecards.io/schemas/adaptive-card.json", card.GetProperty("$schema").GetString());
        Assert.Matches(@"^1\.\d$", card.GetProperty("version").GetString());
        Assert.All(card.GetProperty("body").EnumerateArray(), e => Assert.Contains(e.GetProperty("type").GetString(), new[] { "TextBlock", "FactSet" }));
        var actions = card.GetProperty("actions").EnumerateArray().ToList();
        Assert.All(actions, a => Assert.Equal("Action.OpenUrl", a.GetProperty("type").GetString()));
        AssertRunbookLink(actions.Single(a => a.GetProperty("title").GetString() == "Open runbook").GetProperty("url").GetString());
    }

    [Fact]
    public async Task The_webhook_gets_the_documented_object_signed_with_an_HMAC_of_its_body()
    {
        var received = await FirstMessageAsync("webhook", "/hooks/opsconsole");
        var body = received.Json;
        Assert.Equal(["category", "consoleUrl", "count", "evidence", "firstSeen", "instance", "lastSeen", "runbookUrl", "severity", "source", "status", "summary"], Keys(body));
        Assert.Equal("firing", body.GetProperty("status").GetString());
        Assert.Equal(1, body.GetProperty("count").GetInt32());
        AssertRunbookLink(body.GetProperty("runbookUrl").GetString());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes(received.Body)));
        Assert.Equal(expected, received.Headers["X-OpsConsole-Signature"].ToString());
    }
}
