using System.Text.Json;

namespace OpsConsole.Features.Records;

/// <summary>A record as the API returns it; <see cref="Raw"/> is the original item exactly as the source sent it.</summary>
public sealed record RecordDto(
    long Id, string Kind, string Source, string Format, string Entry, string Instance, string InstanceName,
    string? Location, string? RequestId, string? State, int? ExitCode, int? RestartCount, string? Signal, string? Reason,
    string? Message, string? ErrorCode, int? HttpCode, string? Stage,
    DateTimeOffset OccurredAt, DateTimeOffset ReceivedAt, DateTimeOffset LastSeenAt, int Count,
    string Category, string Family, string Severity, bool IsFailure, string RuleId, string Evidence, string RulesetVersion,
    string? Hints, string? DerivedFrom, string? Truncated, DateTimeOffset? SourceTimeUntrusted, JsonElement? Raw)
{
    public static RecordDto From(EventRecord r, bool includeRaw) => new(
        r.Id, r.Kind, r.Source, r.Format, r.Entry, r.InstanceKey, r.InstanceName, r.Location, r.RequestId, r.State, r.ExitCode,
        r.RestartCount, r.Signal, r.Reason, r.Message, r.ErrorCode, r.HttpCode, r.Stage, r.OccurredAt, r.ReceivedAt, r.LastSeenAt,
        r.OccurrenceCount, r.Category, FamilyOf(r.Category), r.Severity, r.IsFailure, r.RuleId, r.Evidence, r.RulesetVersion,
        r.Hints, r.DerivedFrom, r.Truncated, r.SourceTimeUntrusted, includeRaw ? ParseRaw(r.RawJson) : null);

    public static string FamilyOf(string category) => category.IndexOf('.') is var dot and > 0 ? category[..dot] : category;

    private static JsonElement? ParseRaw(string raw)
    {
        using var document = JsonDocument.Parse(raw);
        return document.RootElement.Clone();
    }
}
