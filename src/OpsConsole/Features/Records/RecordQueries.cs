using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;

namespace OpsConsole.Features.Records;

public sealed record RecordFilter(
    string? Kind = null, string? Source = null, string? Category = null, string? Family = null, string? Severity = null,
    string? Instance = null, DateTimeOffset? Since = null, DateTimeOffset? Until = null);

public sealed record RecordPage(IReadOnlyList<RecordDto> Items, string? NextCursor);

/// <summary>A record's id and received time: together they find its row in one day partition on PostgreSQL.</summary>
internal readonly record struct RecordKey(long Id, DateTimeOffset ReceivedAt);

/// <summary>Reads of stored records for the API and the pages; newest first, keyset-paged by a record id.</summary>
public sealed class RecordQueries(IDbContextFactory<OpsDbContext> databases)
{
    public const int MaxPageSize = 500;

    public async Task<RecordPage> ListAsync(RecordFilter filter, long? cursor, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 1, MaxPageSize);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // Keys first, from the index; then only the page's rows are read whole (a wide range never loads every row to sort it).
        var page = await PageQuery(db, filter, cursor, limit).ToListAsync(cancellationToken);
        if (page.Count == 0) return new RecordPage([], null);
        var order = page.Select((key, i) => (key.Id, i)).ToDictionary(p => p.Id, p => p.i);
        var rows = (await RowsQuery(db, page).ToListAsync(cancellationToken)).OrderBy(r => order[r.Id]).ToList();
        var next = rows.Count > limit ? rows[limit - 1].Id.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        return new RecordPage(rows.Take(limit).Select(r => RecordDto.From(r, includeRaw: false)).ToList(), next);
    }

    /// <summary>
    /// The rows of a page's keys. Bounded by the page's received times as well as by id: on PostgreSQL records is
    /// partitioned by received day and an id alone is looked up in every day's partition (over a hundred at the default
    /// retention); the bounds leave the days the page holds. On SQLite they only filter the rows the ids find. Its plan is tested.
    /// The bounds are written into the SQL, not sent as parameters: PostgreSQL's generic plan for a prepared statement,
    /// blind to the values, took the received-time index for the range and walked whole days to find a page of ids.
    /// </summary>
    internal static IQueryable<EventRecord> RowsQuery(OpsDbContext db, IReadOnlyCollection<RecordKey> page)
    {
        var ids = page.Select(k => k.Id).ToList();
        var (first, last) = (page.Min(k => k.ReceivedAt), page.Max(k => k.ReceivedAt));
        return db.Records.AsNoTracking().Where(r => ids.Contains(r.Id) && r.ReceivedAt >= EF.Constant(first) && r.ReceivedAt <= EF.Constant(last));
    }

    /// <summary>
    /// The keys of one page and one beyond it (to know whether there is a next page); its plan is tested. Newest first:
    /// by id (arrival), or by the source's time when the filter bounds that time or names an instance, so a time range
    /// is read from its newest end through a (…, OccurredAt) index and stops at the page, however many records the range
    /// holds, and an instance's records come in its timeline's order from the timeline index (a second index of an
    /// instance's records by id cost every ingested record one more page written at 1 M stored). The cursor stays the
    /// last record's id; a time-ordered page continues after that record's (OccurredAt, Id).
    /// </summary>
    internal static IQueryable<RecordKey> PageQuery(OpsDbContext db, RecordFilter filter, long? cursor, int limit)
    {
        var query = Filter(db.Records.AsNoTracking(), filter);
        if (filter.Since is null && filter.Until is null && string.IsNullOrEmpty(filter.Instance))
        {
            if (cursor is { } before) query = query.Where(r => r.Id < before);
            return query.OrderByDescending(r => r.Id).Select(r => new RecordKey(r.Id, r.ReceivedAt)).Take(limit + 1);
        }
        if (cursor is { } after)
        {
            var at = db.Records.Where(c => c.Id == after).Select(c => c.OccurredAt);
            // The first condition bounds the index range; the second breaks ties at the cursor's own time by id.
            query = query.Where(r => r.OccurredAt <= at.First() && (r.OccurredAt < at.First() || r.Id < after));
        }
        return query.OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id).Select(r => new RecordKey(r.Id, r.ReceivedAt)).Take(limit + 1);
    }

    public async Task<RecordDto?> FindAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var record = await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        return record is null ? null : RecordDto.From(record, includeRaw: true);
    }

    /// <summary>One stored record as the entity, for pages that need its raw fields (runbook placeholders).</summary>
    public async Task<EventRecord?> FindRecordAsync(long id, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Records.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
    }

    /// <summary>Every record of one instance, newest first (by the source's own time, then arrival).</summary>
    public async Task<IReadOnlyList<RecordDto>> TimelineAsync(string instanceKey, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var rows = await TimelineQuery(db, instanceKey, limit).ToListAsync(cancellationToken);
        return rows.Select(r => RecordDto.From(r, includeRaw: true)).ToList();
    }

    internal static IQueryable<EventRecord> TimelineQuery(OpsDbContext db, string instanceKey, int limit) =>
        db.Records.AsNoTracking()
            .Where(r => r.InstanceKey == instanceKey)
            .OrderByDescending(r => r.OccurredAt).ThenByDescending(r => r.Id)
            .Take(Math.Clamp(limit, 1, 5000));

    private static IQueryable<EventRecord> Filter(IQueryable<EventRecord> query, RecordFilter f)
    {
        if (f.Kind is { Length: > 0 } kind) query = query.Where(r => r.Kind == kind);
        if (f.Source is { Length: > 0 } source) query = query.Where(r => r.Source == source);
        if (f.Category is { Length: > 0 } category) query = query.Where(r => r.Category == category);
        if (f.Family is { Length: > 0 } family)
        {
            var prefix = family + ".";
            query = query.Where(r => r.Category == family || r.Category.StartsWith(prefix));
        }
        if (f.Severity is { Length: > 0 } severity) query = query.Where(r => r.Severity == severity);
        if (f.Instance is { Length: > 0 } instance) query = query.Where(r => r.InstanceKey == instance);
        if (f.Since is { } since) query = query.Where(r => r.OccurredAt >= since);
        if (f.Until is { } until) query = query.Where(r => r.OccurredAt < until);
        return query;
    }
}
