using OpsConsole.Features.Classification;
using OpsConsole.Features.Instances;

namespace OpsConsole.Features.Notifications;

/// <summary>One failing (or recovered) instance as a message names it, with absolute links into the console.</summary>
public sealed record NotifiedInstance(
    string InstanceKey, string DisplayName, string Source, string? Location, IReadOnlyDictionary<string, string> Parts,
    string Category, string Severity, string? Evidence, string RunbookUrl, string ConsoleUrl,
    DateTimeOffset FirstSeen, DateTimeOffset LastSeen, int Count)
{
    /// <summary>The instance as its state stands, named under <paramref name="category"/> (a recovered one's state says "none").</summary>
    public static NotifiedInstance Of(InstanceState state, string baseUrl, string category, string? evidence) => new(
        state.InstanceKey, state.DisplayName, state.Source, state.Location,
        state.ToIdentity().Parts.GroupBy(p => p.Label).ToDictionary(g => g.Key, g => g.First().Value),
        category, state.Severity, evidence,
        baseUrl + InstanceLinks.Runbook(category, state.LastRecordId),
        baseUrl + InstanceLinks.Page(state.InstanceKey),
        state.FirstFailureAt ?? state.LastSeenAt, state.LastFailureAt ?? state.LastSeenAt, state.FailureCount);
}

/// <summary>
/// One message to one channel: a failure (or a group of identical ones: same category, found within the route's group
/// window) that is <see cref="Firing"/>, or their recovery. <see cref="At"/> is when it is sent.
/// </summary>
public sealed record Notification(bool Firing, IReadOnlyList<NotifiedInstance> Instances, DateTimeOffset At)
{
    /// <summary>A message sent from the channel page's button, not about a real failure.</summary>
    public bool IsTest { get; init; }

    public string Status => Firing ? NotificationAlert.Firing : NotificationAlert.Resolved;

    public NotifiedInstance First => Instances[0];

    public string Category => First.Category;

    public string Family => Route.FamilyOf(Category);

    public string Title => Taxonomy.Find(Category)?.Title ?? Category;

    /// <summary>The worst severity of the group.</summary>
    public string Severity => Instances.MinBy(i => Taxonomy.SeverityRank(i.Severity))!.Severity;

    /// <summary>"api-7d9 (prod-eu): Crash-looping" or "12 instances in prod-eu: Crash-looping", with "Resolved: " once recovered.</summary>
    public string Summary
    {
        get
        {
            var locations = Instances.Select(i => i.Location).Distinct().ToList();
            var where = locations is [{ } only] ? $" in {only}" : "";
            var who = Instances.Count == 1 ? $"{First.DisplayName}{(First.Location is { } l ? $" ({l})" : "")}" : $"{Instances.Count} instances{where}";
            return $"{(Firing ? "" : "Resolved: ")}{who}: {Title}";
        }
    }

    /// <summary>What the delivery log says was sent.</summary>
    public string What => IsTest ? "test message" : $"{Status} {Category}: {(Instances.Count == 1 ? First.InstanceKey : $"{Instances.Count} instances")}";
}
