using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>Builds records as the read API returns them, for the timeline views and components.</summary>
internal static class Records
{
    private static long _id;
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-23T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    public static RecordDto Dto(string category, int minute, string source = "aos", string kind = "unit", string? state = null,
        string? stage = null, string? requestId = null, string? reason = null, string? message = null, int? exitCode = null,
        int? restarts = null, string instance = "aos/u/i/s/0", string? location = null)
    {
        var id = Interlocked.Increment(ref _id);
        var isFailure = category != "none";
        return new RecordDto(id, kind, source, source + "-format", "entry", instance, instance, location, requestId, state, exitCode,
            restarts, null, reason, message, null, null, stage, Start.AddMinutes(minute), Start.AddMinutes(minute), Start.AddMinutes(minute), 1,
            category, RecordDto.FamilyOf(category), isFailure ? "error" : "info", isFailure, isFailure ? "rule-" + category : "", isFailure ? "evidence of " + category : "",
            "v1", null, null, null, null, null);
    }

    /// <summary>Newest first, as the timeline query returns them.</summary>
    public static IReadOnlyList<RecordDto> NewestFirst(params RecordDto[] records) => records.OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id).ToList();
}
