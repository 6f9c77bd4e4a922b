using System.Globalization;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Runbooks;

/// <summary>
/// The values a runbook's <c>{{name}}</c> placeholders take for one record: the common ones from its fields,
/// the rest filled by its source's profile from the instance's named parts and, where they do not carry it,
/// the original item.
/// </summary>
public static class RunbookPlaceholders
{
    /// <summary>Every placeholder the shipped runbooks use, with what fills it: the common ones, then each source's.</summary>
    public static IReadOnlyDictionary<string, string> Known { get; } = KnownPlaceholders();

    /// <summary>What a missing placeholder's tooltip says to substitute (HTML-encoded): its meaning when known.</summary>
    public static string FillIn(string name) =>
        System.Net.WebUtility.HtmlEncode($"fill in {(Known.TryGetValue(name, out var meaning) ? meaning : name)}");

    public static IReadOnlyDictionary<string, string> For(EventRecord record)
    {
        var values = new PlaceholderValues
        {
            ["instance"] = record.InstanceName,
            ["instanceKey"] = record.InstanceKey,
            ["recordId"] = record.Id.ToString(CultureInfo.InvariantCulture),
            ["since"] = record.OccurredAt.UtcDateTime.AddMinutes(-10).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
        values.Set("exitCode", record.ExitCode?.ToString(CultureInfo.InvariantCulture));
        values.Set("node", record.Location);
        values.Set("requestId", record.RequestId);

        using var raw = record.ParseRaw();
        SourceProfiles.For(record.Source, record.Kind).FillPlaceholders(values, record, InstanceIdentity.PartsOf(record), raw?.RootElement);
        return values;
    }

    private static Dictionary<string, string> KnownPlaceholders()
    {
        var known = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["instance"] = "the instance as the console names it",
            ["instanceKey"] = "the console's instance key",
            ["recordId"] = "the record's id",
            ["since"] = "ten minutes before the record, for journalctl --since (UTC)",
            ["exitCode"] = "the exit code",
            ["node"] = "the node, host or replica the record names",
            ["requestId"] = "the request id (Nova req-…)",
        };
        foreach (var profile in SourceProfiles.All)
            foreach (var (name, meaning) in profile.Placeholders)
                known.TryAdd(name, meaning);
        return known;
    }
}
