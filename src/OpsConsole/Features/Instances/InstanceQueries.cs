using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Instances;

public sealed record FailingInstance(
    string Instance, string DisplayName, string Kind, string Source, string? Location, string Category, string Family,
    string Severity, string? LastMessage, int FailureCount, DateTimeOffset? FirstFailureAt, DateTimeOffset? LastFailureAt,
    DateTimeOffset LastSeenAt, long LastRecordId, InstanceAcknowledgement? Acknowledgement = null)
{
    private readonly IReadOnlyList<IdentityPart>? _parts;

    /// <summary>
    /// The instance's named parts (the first says where it runs), for the list's caption; not part of the API
    /// answer. Read from the key when not given (rows stored before parts were captured).
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<IdentityPart> Parts
    {
        get => _parts ?? InstanceIdentity.Read(stored: null, Instance);
        init => _parts = value;
    }

    /// <summary>Acknowledged, but it failed again since.</summary>
    public bool FailedSinceAcknowledged => Acknowledgement is { } ack && LastFailureAt > ack.LastFailureAt;
}

/// <summary>Filters of the failing list; <see cref="IncludeMuted"/> shows muted instances too.</summary>
public sealed record FailingFilter(
    string? Kind = null, string? Source = null, string? Family = null, string? Category = null, string? Severity = null,
    string? Search = null, DateTimeOffset? Since = null, bool IncludeMuted = false, DateTimeOffset? Until = null);

public sealed record FailingPage(IReadOnlyList<FailingInstance> Items, int Total, int Offset, int Limit);

public enum FailingSort { LastFailure, FirstFailure, Failures, Severity, Instance }

/// <summary>Reads of the instance-state table: the failing list never touches the records table.</summary>
public sealed class InstanceQueries(IDbContextFactory<OpsDbContext> databases)
{
    public async Task<FailingPage> FailingAsync(FailingFilter filter, FailingSort sort, bool descending, int offset, int limit,
        CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 500);
        offset = Math.Max(0, offset);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // Four to six short queries: one connection for all of them, not a pool round trip (and its set-up pragma) each.
        await db.Database.OpenConnectionAsync(cancellationToken);
        var (query, hidesAny) = await FailingSetAsync(db, filter, cancellationToken);
        var total = await CountedTotalAsync(db, filter, hidesAny, cancellationToken) ?? await query.CountAsync(cancellationToken);
        var rows = await Sort(query, sort, descending).Skip(offset).Take(limit).ToListAsync(cancellationToken);
        var keys = rows.Select(r => r.InstanceKey).ToList();
        var acks = await db.Acknowledgements.AsNoTracking().Where(a => keys.Contains(a.InstanceKey))
            .ToDictionaryAsync(a => a.InstanceKey, cancellationToken);
        return new FailingPage(rows.Select(r => ToFailing(r, acks.GetValueOrDefault(r.InstanceKey))).ToList(), total, offset, limit);
    }

    /// <summary>Failing instances per family under every filter except the family itself, for the chips above the list.</summary>
    public async Task<Dictionary<string, int>> FailingByFamilyAsync(FailingFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var byCategory = await (await FailingQueryAsync(db, filter with { Family = null, Category = null }, cancellationToken))
            .GroupBy(s => s.Category).Select(g => new { g.Key, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return byCategory.GroupBy(c => RecordDto.FamilyOf(c.Key)).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
    }

    /// <summary>Failing instances per family and severity, for the summary panel.</summary>
    public async Task<Dictionary<string, Dictionary<string, int>>> FailingByFamilyAndSeverityAsync(FailingFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await (await FailingQueryAsync(db, filter, cancellationToken))
            .GroupBy(s => new { s.Category, s.Severity }).Select(g => new { g.Key.Category, g.Key.Severity, Count = g.Count() })
            .ToListAsync(cancellationToken);
        return rows.GroupBy(r => RecordDto.FamilyOf(r.Category))
            .ToDictionary(g => g.Key, g => g.GroupBy(r => r.Severity).ToDictionary(s => s.Key, s => s.Sum(r => r.Count)));
    }

    /// <summary>Every source that has reported an instance, for the source filter.</summary>
    public async Task<IReadOnlyList<string>> SourcesAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.InstanceStates.AsNoTracking().Select(s => s.Source).Distinct().OrderBy(s => s).ToListAsync(cancellationToken);
    }

    /// <summary>All instances, failing or not, most recently seen first; for the Instances page.</summary>
    public async Task<FailingPage> AllAsync(string? kind, string? search, int offset, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, 500);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = Filter(db.InstanceStates.AsNoTracking(), new FailingFilter(Kind: kind, Search: search), hideMuted: null);
        var total = await query.CountAsync(cancellationToken);
        var rows = await query.OrderByDescending(s => s.LastSeenAt).Skip(Math.Max(0, offset)).Take(limit).ToListAsync(cancellationToken);
        return new FailingPage(rows.Select(r => ToFailing(r, null)).ToList(), total, offset, limit);
    }

    public async Task<InstanceAcknowledgement?> AcknowledgementAsync(string instanceKey, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Acknowledgements.AsNoTracking().FirstOrDefaultAsync(a => a.InstanceKey == instanceKey, cancellationToken);
    }

    public async Task<InstanceState?> FindAsync(string instanceKey, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.InstanceStates.AsNoTracking().FirstOrDefaultAsync(s => s.InstanceKey == instanceKey, cancellationToken);
    }

    /// <summary>Failing instances per category, for the family chips and the category list: the counter table, one row per category.</summary>
    public async Task<Dictionary<string, int>> FailingByCategoryAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.CategoryCounts.AsNoTracking().Where(c => c.FailingInstances > 0)
            .ToDictionaryAsync(c => c.Category, c => (int)c.FailingInstances, cancellationToken);
    }

    private static FailingInstance ToFailing(InstanceState s, InstanceAcknowledgement? ack) => new(
        s.InstanceKey, s.DisplayName, s.Kind, s.Source, s.Location, s.Category, RecordDto.FamilyOf(s.Category), s.Severity,
        s.LastMessage, s.FailureCount, s.FirstFailureAt, s.LastFailureAt, s.LastSeenAt, s.LastRecordId, ack)
    {
        Parts = InstanceIdentity.Read(s.Identity, s.InstanceKey),
    };

    /// <summary>Failing instances under a filter; muted ones are left out unless the filter includes them.</summary>
    internal static async Task<IQueryable<InstanceState>> FailingQueryAsync(OpsDbContext db, FailingFilter filter, CancellationToken cancellationToken) =>
        (await FailingSetAsync(db, filter, cancellationToken)).Query;

    /// <summary>
    /// <see cref="FailingQueryAsync"/>, and whether it may leave a failing instance out (something is muted, or an active
    /// silence matches one), found by the look-ups the query needs anyway, so the list's total does not ask again.
    /// </summary>
    private static async Task<(IQueryable<InstanceState> Query, bool HidesAny)> FailingSetAsync(OpsDbContext db, FailingFilter filter, CancellationToken cancellationToken)
    {
        var failing = db.InstanceStates.AsNoTracking().Where(s => s.IsFailing);
        if (filter.IncludeMuted) return (Filter(failing, filter, hideMuted: null), false);
        // Usually nothing is muted: then the per-row NOT EXISTS is skipped (it is a third of the list's time at 15k instances).
        var hideMuted = await AnyMutedAsync(db, cancellationToken);
        var query = Filter(failing, filter, hideMuted ? db.Acknowledgements : null);
        // Silences mute many instances by what they match; their keys are resolved once per query.
        var silenced = await Silences.SilenceStore.SilencedKeysAsync(db, cancellationToken);
        return silenced.Count == 0 ? (query, hideMuted) : (query.Where(s => !silenced.Contains(s.InstanceKey)), true);
    }

    /// <summary>
    /// The list's total from the counter table (one row per category) when it filters by nothing but family or
    /// category and nothing is muted or silenced (<paramref name="hidesAny"/>); null when it must be counted. A
    /// family's total is then the sum of its categories, not a count of every failing instance in it.
    /// </summary>
    private static async Task<int?> CountedTotalAsync(OpsDbContext db, FailingFilter filter, bool hidesAny, CancellationToken cancellationToken)
    {
        if (hidesAny || filter with { IncludeMuted = false, Family = null, Category = null } != new FailingFilter()) return null;
        var counts = await db.CategoryCounts.AsNoTracking().Where(c => c.FailingInstances > 0)
            .Select(c => new { c.Category, c.FailingInstances }).ToListAsync(cancellationToken);
        return (int)counts.Where(c => (filter.Category is not { Length: > 0 } category || c.Category == category)
                                      && (filter.Family is not { Length: > 0 } family || RecordDto.FamilyOf(c.Category) == family))
            .Sum(c => c.FailingInstances);
    }

    private static Task<bool> AnyMutedAsync(OpsDbContext db, CancellationToken cancellationToken) =>
        db.Acknowledgements.AnyAsync(a => a.Status == InstanceAcknowledgement.Muted, cancellationToken);

    private static IQueryable<InstanceState> Filter(IQueryable<InstanceState> query, FailingFilter f, IQueryable<InstanceAcknowledgement>? hideMuted)
    {
        if (hideMuted is not null)
            query = query.Where(s => !hideMuted.Any(a => a.InstanceKey == s.InstanceKey && a.Status == InstanceAcknowledgement.Muted));
        if (f.Kind is { Length: > 0 } kind) query = query.Where(s => s.Kind == kind);
        if (f.Source is { Length: > 0 } source) query = query.Where(s => s.Source == source);
        if (f.Category is { Length: > 0 } category) query = query.Where(s => s.Category == category);
        if (f.Family is { Length: > 0 } family) query = query.Where(s => s.Family == family);
        if (f.Severity is { Length: > 0 } severity) query = query.Where(s => s.Severity == severity);
        if (f.Since is { } since) query = query.Where(s => s.LastFailureAt >= since);
        if (f.Until is { } until) query = query.Where(s => s.LastFailureAt <= until);
        if (f.Search is { Length: > 0 } search)
        {
            // Case-insensitive on both stores: SQLite's LIKE ignores ASCII case, PostgreSQL's does not, lower() on both sides does.
            var pattern = $"%{search.Replace("%", "").Replace("_", "").ToLowerInvariant()}%";
            query = query.Where(s => EF.Functions.Like(s.DisplayName.ToLower(), pattern) || EF.Functions.Like(s.InstanceKey.ToLower(), pattern)
                                     || (s.LastMessage != null && EF.Functions.Like(s.LastMessage.ToLower(), pattern)));
        }
        return query;
    }

    internal static IQueryable<InstanceState> Sort(IQueryable<InstanceState> query, FailingSort sort, bool descending) => sort switch
    {
        FailingSort.FirstFailure => descending ? query.OrderByDescending(s => s.FirstFailureAt) : query.OrderBy(s => s.FirstFailureAt),
        FailingSort.Failures => descending ? query.OrderByDescending(s => s.FailureCount) : query.OrderBy(s => s.FailureCount),
        FailingSort.Instance => descending ? query.OrderByDescending(s => s.DisplayName) : query.OrderBy(s => s.DisplayName),
        FailingSort.Severity => (descending
                ? query.OrderBy(s => s.Severity == "critical" ? 0 : s.Severity == "error" ? 1 : s.Severity == "warning" ? 2 : 3)
                : query.OrderByDescending(s => s.Severity == "critical" ? 0 : s.Severity == "error" ? 1 : s.Severity == "warning" ? 2 : 3))
            .ThenByDescending(s => s.LastFailureAt),
        _ => descending ? query.OrderByDescending(s => s.LastFailureAt) : query.OrderBy(s => s.LastFailureAt),
    };
}
