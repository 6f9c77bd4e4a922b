using OpsConsole.Features.Records;
using OpsConsole.Features.Classification;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Sources;

namespace OpsConsole.Features.Instances;

/// <summary>How the failing list groups its rows (<c>?group=</c>).</summary>
public enum FailingGrouping { None, Category, Location }

/// <summary>
/// One group of failing instances: its count, worst severity, failures per hour over the last 24 hours (oldest
/// first) and every instance in it, for the bulk acknowledge.
/// </summary>
public sealed record FailingGroup(string Key, string Label, int Count, string WorstSeverity, IReadOnlyList<int> FailuresPerHour,
    IReadOnlyList<string> Instances);

/// <summary>Groups of the failing list, over every failing instance under the filter (not only the page shown).</summary>
public sealed class FailingGroups(IDbContextFactory<OpsDbContext> databases, TimeProvider clock)
{
    public const int Hours = 24;

    /// <summary>
    /// Where an instance runs, as its source's profile reads it from the stored identity parts (cluster, host,
    /// cloud, region, app, unit): the group key (<c>kubernetes/prod</c>; the sender alone for the simple shapes)
    /// and its label (<c>cluster prod (kubernetes)</c>).
    /// </summary>
    public static (string Key, string Label) LocationOf(string source, string kind, IReadOnlyList<IdentityPart> parts)
    {
        var origin = SourceProfiles.For(source, kind).OriginOf(parts, source);
        if (origin == source) return (source, source);
        var named = parts.FirstOrDefault(p => p.Value == origin);
        return ($"{source}/{origin}", named.Label is { Length: > 0 } label ? $"{label} {origin} ({source})" : $"{origin} ({source})");
    }

    public static string KeyOf(FailingGrouping grouping, FailingInstance row) =>
        grouping == FailingGrouping.Category ? row.Category : LocationOf(row.Source, row.Kind, row.Parts).Key;

    public async Task<IReadOnlyList<FailingGroup>> ListAsync(FailingFilter filter, FailingGrouping grouping, CancellationToken cancellationToken)
    {
        if (grouping == FailingGrouping.None) return [];
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var states = await (await InstanceQueries.FailingQueryAsync(db, filter, cancellationToken))
            .Select(s => new { s.InstanceKey, s.Category, s.Severity, s.Source, s.Kind, s.Identity }).ToListAsync(cancellationToken);
        var locations = grouping == FailingGrouping.Location
            ? states.ToDictionary(s => s.InstanceKey, s => LocationOf(s.Source, s.Kind, InstanceIdentity.Read(s.Identity, s.InstanceKey)), StringComparer.Ordinal)
            : [];
        var groupOf = states.ToDictionary(s => s.InstanceKey, s => grouping == FailingGrouping.Category ? s.Category : locations[s.InstanceKey].Key,
            StringComparer.Ordinal);
        var hourly = await FailuresPerHourAsync(db, groupOf, cancellationToken);
        return states.GroupBy(s => groupOf[s.InstanceKey])
            .Select(g => new FailingGroup(g.Key, grouping == FailingGrouping.Category ? g.Key : locations[g.First().InstanceKey].Label, g.Count(),
                g.MinBy(s => Taxonomy.SeverityRank(s.Severity))!.Severity,
                hourly.TryGetValue(g.Key, out var perHour) ? perHour : new int[Hours], g.Select(s => s.InstanceKey).ToList()))
            .OrderBy(g => Taxonomy.SeverityRank(g.WorstSeverity)).ThenByDescending(g => g.Count).ThenBy(g => g.Key, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Failures per group and hour, from the records table's OccurredAt index (one row per instance and hour).</summary>
    private async Task<Dictionary<string, int[]>> FailuresPerHourAsync(OpsDbContext db, Dictionary<string, string> groupOf, CancellationToken cancellationToken)
    {
        var currentHour = clock.GetUtcNow().ToUnixTimeMilliseconds() / 3_600_000;
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken);
        // Written once for both stores: a bare boolean column and a named parameter mean the same on SQLite and PostgreSQL.
        await using var command = RecordStoreReads.Command(connection,
            "SELECT InstanceKey, OccurredAt / 3600000, COUNT(*) FROM records WHERE IsFailure AND OccurredAt >= @since GROUP BY 1, 2",
            ("@since", (currentHour - Hours + 1) * 3_600_000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var result = new Dictionary<string, int[]>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!groupOf.TryGetValue(reader.GetString(0), out var group)) continue;
            var slot = (int)(reader.GetInt64(1) - (currentHour - Hours + 1));
            if (slot is < 0 or >= Hours) continue;
            if (!result.TryGetValue(group, out var perHour)) result[group] = perHour = new int[Hours];
            perHour[slot] += (int)reader.GetInt64(2);
        }
        return result;
    }
}
