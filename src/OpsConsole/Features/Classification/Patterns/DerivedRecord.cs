using System.Globalization;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>Builds the record a pattern detector writes on an instance's timeline, linked to its evidence.</summary>
public static class DerivedRecord
{
    public const string Format = "derived";
    public const string Entry = "pattern";

    public static EventRecord Create(InstanceIdentity instance, string category, string severity, string ruleId, string evidence,
        string message, IReadOnlyCollection<long> derivedFrom, DateTimeOffset at, string rulesetVersion)
    {
        var from = string.Join(',', derivedFrom.Order().Select(id => id.ToString(CultureInfo.InvariantCulture)));
        return new EventRecord
        {
            Kind = instance.Kind,
            Source = instance.Source,
            Format = Format,
            Entry = Entry,
            InstanceKey = instance.Key,
            InstanceName = instance.DisplayName,
            Parts = instance.Parts,
            Identity = InstanceIdentity.Write(instance.Parts),
            Location = instance.Location,
            State = "pattern",
            Message = message,
            OccurredAt = at,
            ReceivedAt = at,
            LastSeenAt = at,
            Category = category,
            Severity = severity,
            RuleId = ruleId,
            Evidence = evidence,
            RulesetVersion = rulesetVersion,
            IsFailure = true,
            DerivedFrom = from,
            // One pattern record per (pattern, instance, evidence): running a detector again adds nothing.
            DedupeKey = $"{Format}|{ruleId}|{instance.Key}|{from}",
            RawJson = System.Text.Json.JsonSerializer.Serialize(new { pattern = ruleId, evidence, derivedFrom }),
        };
    }
}
