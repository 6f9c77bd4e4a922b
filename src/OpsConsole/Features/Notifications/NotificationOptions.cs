using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Classification;

namespace OpsConsole.Features.Notifications;

/// <summary>
/// The <c>Notifications</c> section: channels (where messages go) and routes (which failures go to which channel), kept
/// in configuration for GitOps. Channels added on /admin/channels live in the database beside these.
/// </summary>
public sealed class NotificationOptions
{
    public const string SectionName = "Notifications";

    public List<ChannelOptions> Channels { get; set; } = [];
    public List<RouteOptions> Routes { get; set; } = [];

    /// <summary>How often the dispatcher looks again without a commit notice: group windows, repeats, other nodes' writes.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Retries after a failed send (so attempts are one more), spaced by exponential back-off from <see cref="RetryDelay"/>.</summary>
    public int Retries { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class ChannelOptions
{
    public string? Name { get; set; }

    /// <summary>One of <see cref="ChannelTypes.All"/>.</summary>
    public string? Type { get; set; }

    public string? Url { get; set; }

    /// <summary>The HMAC key of a <c>webhook</c> channel.</summary>
    public string? Secret { get; set; }
}

public sealed class RouteOptions
{
    /// <summary>The name of a channel.</summary>
    public string? Channel { get; set; }

    public string MinSeverity { get; set; } = "warning";
    public List<string> Families { get; set; } = [];
    public List<string> Categories { get; set; } = [];
    public List<string> Sources { get; set; } = [];
    public List<string> Locations { get; set; } = [];

    /// <summary>An instance-key pattern where <c>*</c> stands for anything, as in silences.</summary>
    public string? InstancePattern { get; set; }

    /// <summary>New failures of one category within this window go out as one message; zero sends each at once.</summary>
    public TimeSpan GroupWindow { get; set; } = TimeSpan.Zero;

    /// <summary>A still-failing instance is announced again only after this quiet period.</summary>
    public TimeSpan RepeatAfter { get; set; } = TimeSpan.FromHours(4);
}

public static class ChannelTypes
{
    public const string Alertmanager = "alertmanager";
    public const string Slack = "slack";
    public const string Teams = "teams";
    public const string Webhook = "webhook";

    public static IReadOnlyList<string> All { get; } = [Alertmanager, Slack, Teams, Webhook];

    /// <summary>The problem with a channel's fields, or null when it can be used; shared by configuration and the page.</summary>
    public static string? Problem(string? name, string? type, string? url, string? secret)
    {
        if (string.IsNullOrWhiteSpace(name)) return "Name is empty";
        if (type is null || !All.Contains(type)) return $"Type '{type}' is not one of {string.Join(", ", All)}";
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "Url is not an absolute http(s) address";
        if (type == Webhook && string.IsNullOrEmpty(secret)) return "Secret is empty (a webhook channel signs its bodies with it)";
        return null;
    }
}

/// <summary>Checks the section at start-up, naming the item and field of each problem.</summary>
public sealed class NotificationOptionsValidator : IValidateOptions<NotificationOptions>
{
    public ValidateOptionsResult Validate(string? name, NotificationOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Channels.Count; i++)
        {
            var c = options.Channels[i];
            if (ChannelTypes.Problem(c.Name, c.Type, c.Url, c.Secret) is { } problem)
                errors.Add($"Notifications:Channels:{i} ({c.Name ?? "no name"}): {problem}.");
            else if (!names.Add(c.Name!)) errors.Add($"Notifications:Channels:{i}: Name '{c.Name}' is used by another channel.");
        }
        for (var i = 0; i < options.Routes.Count; i++)
        {
            var r = options.Routes[i];
            var at = $"Notifications:Routes:{i}";
            if (r.Channel is null || !names.Contains(r.Channel))
                errors.Add($"{at}: Channel '{r.Channel}' is not a configured channel (have: {string.Join(", ", names)}).");
            if (!Taxonomy.Severities.Contains(r.MinSeverity))
                errors.Add($"{at}: MinSeverity '{r.MinSeverity}' is not one of {string.Join(", ", Taxonomy.Severities)}.");
            foreach (var family in r.Families.Where(f => !Taxonomy.Families.Contains(f)))
                errors.Add($"{at}: Families has '{family}', not a family of the taxonomy ({string.Join(", ", Taxonomy.Families)}).");
            foreach (var category in r.Categories.Where(c => !Taxonomy.IsKnown(c)))
                errors.Add($"{at}: Categories has '{category}', not a category of the taxonomy.");
            if (r.GroupWindow < TimeSpan.Zero) errors.Add($"{at}: GroupWindow is negative.");
            if (r.RepeatAfter <= TimeSpan.Zero) errors.Add($"{at}: RepeatAfter must be positive.");
        }
        if (options.Retries is < 1 or > 10) errors.Add("Notifications:Retries must be between 1 and 10.");
        if (options.PollInterval <= TimeSpan.Zero) errors.Add("Notifications:PollInterval must be positive.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>A route ready to match instance states.</summary>
public sealed class Route(RouteOptions options)
{
    private readonly int _minRank = Taxonomy.SeverityRank(options.MinSeverity);
    private readonly Regex? _pattern = string.IsNullOrWhiteSpace(options.InstancePattern) ? null
        : new Regex("^" + Regex.Escape(options.InstancePattern).Replace("\\*", ".*") + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    public string Channel { get; } = options.Channel!;
    public TimeSpan GroupWindow { get; } = options.GroupWindow;
    public TimeSpan RepeatAfter { get; } = options.RepeatAfter;

    public bool Matches(Instances.InstanceState state) =>
        Taxonomy.SeverityRank(state.Severity) <= _minRank
        && (options.Families.Count == 0 || options.Families.Contains(Taxonomy.Find(state.Category)?.Family ?? FamilyOf(state.Category)))
        && (options.Categories.Count == 0 || options.Categories.Contains(state.Category))
        && (options.Sources.Count == 0 || options.Sources.Contains(state.Source, StringComparer.OrdinalIgnoreCase))
        && (options.Locations.Count == 0 || (state.Location is { } location && options.Locations.Contains(location, StringComparer.OrdinalIgnoreCase)))
        && (_pattern is null || _pattern.IsMatch(state.InstanceKey));

    public static string FamilyOf(string category) => category.Split('.')[0];
}
