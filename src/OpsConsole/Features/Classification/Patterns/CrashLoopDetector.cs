using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Crash loops no single record states: one container exiting (or backing off) again and again within a
/// window, and the Aos burst (seed A: three failed starts within five seconds, then Failed). Runs after
/// each ingestion write on the instances that batch touched; writes a <c>restart.crash-loop</c> record
/// linked to the failures it saw, unless the loop is already on the timeline.
/// </summary>
public sealed class CrashLoopDetector(IDbContextFactory<OpsDbContext> databases, IOptionsMonitor<ClassificationOptions> options)
{
    public const string RuleId = "pattern-crash-loop";
    public const string Category = "restart.crash-loop";

    /// <summary>Seed A: the unit gives up on an instance after three failed starts within five seconds.</summary>
    private static readonly TimeSpan AosBurstWindow = TimeSpan.FromSeconds(5);
    private const int AosBurstFailures = 3;

    public async Task<IReadOnlyList<EventRecord>> DetectAsync(IReadOnlyList<EventRecord> written, string rulesetVersion, CancellationToken cancellationToken)
    {
        var candidates = written.Where(IsRestartFailure).GroupBy(r => r.InstanceKey).ToList();
        if (candidates.Count == 0) return [];

        var settings = options.CurrentValue;
        var newestByInstance = candidates.ToDictionary(g => g.Key, g => g.MaxBy(r => r.OccurredAt)!, StringComparer.Ordinal);
        var keys = newestByInstance.Keys.ToList();
        var earliest = newestByInstance.Values.Min(r => r.OccurredAt) - (settings.CrashLoopWindow > AosBurstWindow ? settings.CrashLoopWindow : AosBurstWindow);

        // One query for every instance the batch touched (the index on InstanceKey, OccurredAt serves it).
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var history = (await db.Records.AsNoTracking()
                .Where(r => keys.Contains(r.InstanceKey) && r.OccurredAt >= earliest)
                .Select(r => new { r.Id, r.InstanceKey, r.OccurredAt, r.Category, r.Source, r.Entry, r.State, r.ExitCode, r.Format })
                .ToListAsync(cancellationToken))
            .ToLookup(r => r.InstanceKey, StringComparer.Ordinal);

        var found = new List<EventRecord>();
        foreach (var (key, newest) in newestByInstance)
        {
            var (window, threshold) = newest.Source == "aos" ? (AosBurstWindow, AosBurstFailures) : (settings.CrashLoopWindow, settings.CrashLoopExits);
            var from = newest.OccurredAt - window;
            var recent = history[key].Where(r => r.OccurredAt >= from && r.OccurredAt <= newest.OccurredAt).ToList();
            if (recent.Any(r => r.Category == Category)) continue; // the source (or an earlier run) already says so

            var failures = recent.Where(r => IsRestartFailure(r.Source, r.Entry, r.State, r.ExitCode, r.Format)).Select(r => r.Id).ToList();
            if (failures.Count < threshold) continue;

            var what = newest.Source == "aos" ? "failed starts" : "exits";
            found.Add(DerivedRecord.Create(InstanceIdentity.Of(newest), Category, "critical", RuleId,
                $"{failures.Count} {what} within {window.TotalSeconds:0} s (threshold {threshold})",
                $"Crash loop: {failures.Count} {what} of this instance within {Describe(window)}",
                failures, newest.OccurredAt, rulesetVersion));
        }
        return found;
    }

    private static bool IsRestartFailure(EventRecord r) => IsRestartFailure(r.Source, r.Entry, r.State, r.ExitCode, r.Format);

    /// <summary>An exit that means the process died (not a clean or graceful stop), or an Aos instance that failed.</summary>
    private static bool IsRestartFailure(string source, string entry, string? state, int? exitCode, string format) =>
        format != DerivedRecord.Format
        && (source == "aos"
            ? entry == "instance" && state == "failed"
            : exitCode is { } code && code != 0 && code != 143 && entry != "waiting");

    private static string Describe(TimeSpan window) =>
        window.TotalMinutes >= 1 ? $"{window.TotalMinutes:0} min" : $"{window.TotalSeconds:0} s";
}
