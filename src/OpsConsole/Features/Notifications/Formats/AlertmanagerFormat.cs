using System.Text.RegularExpressions;

namespace OpsConsole.Features.Notifications.Formats;

/// <summary>
/// Alertmanager's v2 API: <c>POST /api/v2/alerts</c> with an array of alerts, each {labels, annotations, startsAt, endsAt,
/// generatorURL}. A firing alert's <c>endsAt</c> lies <see cref="Validity"/> ahead and the dispatcher re-sends it every
/// <see cref="ResendInterval"/>, as Prometheus does, so Alertmanager resolves it by itself if the console goes away; a
/// recovery sends <c>endsAt</c> = now.
/// </summary>
public sealed partial class AlertmanagerFormat : IChannelFormat
{
    public static readonly TimeSpan ResendInterval = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan Validity = 4 * ResendInterval;

    public string Type => ChannelTypes.Alertmanager;

    public HttpRequestMessage Request(NotificationChannel channel, Notification notification)
    {
        var endsAt = notification.Firing ? notification.At + Validity : notification.At;
        var alerts = notification.Instances.Select(i => new
        {
            labels = Labels(i),
            annotations = new Dictionary<string, string>
            {
                ["summary"] = new Notification(notification.Firing, [i], notification.At).Summary,
                ["description"] = i.Evidence ?? "",
                ["runbook_url"] = i.RunbookUrl,
            },
            startsAt = i.FirstSeen,
            endsAt,
            generatorURL = i.ConsoleUrl,
        });
        return FormatJson.Post(AlertsUrl(channel.Url), FormatJson.Serialize(alerts));
    }

    /// <summary>The channel's URL may be Alertmanager's base address or the alerts endpoint itself.</summary>
    public static string AlertsUrl(string url) =>
        url.TrimEnd('/').EndsWith("/api/v2/alerts", StringComparison.Ordinal) ? url : url.TrimEnd('/') + "/api/v2/alerts";

    private static Dictionary<string, string> Labels(NotifiedInstance instance)
    {
        var labels = new Dictionary<string, string>();
        // Location labels: the instance's own identity parts (cluster, namespace, unit…), under Prometheus-safe names.
        foreach (var (label, value) in instance.Parts) labels[LabelName(label)] = value;
        if (instance.Location is { } location) labels["location"] = location;
        labels["alertname"] = instance.Category;
        labels["category"] = instance.Category;
        labels["family"] = Route.FamilyOf(instance.Category);
        labels["severity"] = instance.Severity;
        labels["source"] = instance.Source;
        labels["instance"] = instance.InstanceKey;
        return labels;
    }

    private static string LabelName(string label)
    {
        var name = UnsafeLabelCharacters().Replace(label.ToLowerInvariant(), "_");
        return char.IsDigit(name[0]) ? "_" + name : name;
    }

    [GeneratedRegex("[^a-z0-9_]")]
    private static partial Regex UnsafeLabelCharacters();
}
