using OpsConsole.Features.Records;
using OpsConsole.Features.Runbooks;
using OpsConsole.Sources;

namespace OpsConsole.Features.Instances.Timeline;

/// <summary>
/// An entry of the timeline: a record, or a runbook step an operator ticked. <see cref="Repeats"/> identical records in a
/// row are one entry, shown as the newest with the count and the time of the first (<see cref="Since"/>).
/// </summary>
public sealed record TimelineEntry(DateTimeOffset At, RecordDto? Record, RunbookStepMark? Step, int Repeats = 1, DateTimeOffset? Since = null);

public sealed record TimelineGroup(string Title, IReadOnlyList<TimelineEntry> Entries);

/// <summary>
/// Groups an instance's timeline the way an operator reads it: by request id where the records
/// carry one (Nova), otherwise by the attempts the source's profile defines (Aos deployments, MAAS
/// operations); newest group and newest entry first.
/// </summary>
public static class TimelineGroups
{
    public static IReadOnlyList<TimelineGroup> For(IReadOnlyList<RecordDto> records, IReadOnlyList<RunbookStepMark> steps)
    {
        var entries = records.Select(r => new TimelineEntry(r.OccurredAt, r, null))
            .Concat(steps.Select(s => new TimelineEntry(s.At, null, s)))
            .OrderBy(e => e.At).ThenBy(e => e.Record?.Id ?? long.MaxValue)
            .ToList();

        var groups = new List<(string Title, List<TimelineEntry> Entries)>();
        if (records.Any(r => r.RequestId is { Length: > 0 }))
        {
            foreach (var entry in entries)
            {
                var title = entry.Record?.RequestId is { Length: > 0 } id ? $"Request {id}"
                    : entry.Step is not null && groups.Count > 0 ? groups[^1].Title
                    : "Without a request id";
                var group = groups.FindIndex(g => g.Title == title);
                if (group < 0) groups.Add((title, [entry]));
                else groups[group].Entries.Add(entry);
            }
        }
        else
        {
            var attempt = 0;
            foreach (var entry in entries)
            {
                if (groups.Count == 0 || (entry.Record is { } r && StartsAttempt(r) && !groups[^1].Entries.All(e => e.Record is { } p && StartsAttempt(p))))
                {
                    attempt++;
                    groups.Add((AttemptTitle(entry, attempt), []));
                }
                groups[^1].Entries.Add(entry);
            }
            if (groups.Count == 1) groups[0] = ("All records", groups[0].Entries);
        }

        return groups
            .OrderByDescending(g => g.Entries.Max(e => e.At))
            .Select(g => new TimelineGroup(g.Title, Collapse(g.Entries.AsEnumerable().Reverse())))
            .ToList();
    }

    /// <summary>Folds runs of identical records (a crash loop's 36 back-offs) into one entry with a count.</summary>
    private static List<TimelineEntry> Collapse(IEnumerable<TimelineEntry> newestFirst)
    {
        var result = new List<TimelineEntry>();
        foreach (var entry in newestFirst)
        {
            if (result.Count > 0 && result[^1] is { Record: { } previous } run && entry.Record is { } record && SameFact(previous, record))
                result[^1] = run with { Repeats = run.Repeats + 1, Since = entry.At };
            else
                result.Add(entry);
        }
        return result;
    }

    private static bool SameFact(RecordDto a, RecordDto b) =>
        a.Category == b.Category && a.Entry == b.Entry && a.State == b.State && a.Reason == b.Reason && a.ExitCode == b.ExitCode
        && a.Stage == b.Stage && a.ErrorCode == b.ErrorCode && a.Message == b.Message;

    private static bool StartsAttempt(RecordDto r) => SourceProfiles.For(r.Source, r.Kind).Attempts?.Starts(r) == true;

    private static string AttemptTitle(TimelineEntry first, int attempt) =>
        first.Record is { } r && SourceProfiles.For(r.Source, r.Kind).Attempts is { } attempts
            ? attempts.Title(attempt)
            : $"Records from {first.At.UtcDateTime:yyyy-MM-dd HH:mm}";
}
