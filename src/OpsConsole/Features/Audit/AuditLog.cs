using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Auth;

namespace OpsConsole.Features.Audit;

public sealed record AuditFilter(string? Actor, string? Action, string? Target, DateTimeOffset? Since, DateTimeOffset? Until);

/// <summary>Appends to and reads the audit trail.</summary>
public sealed class AuditLog(IDbContextFactory<OpsDbContext> databases, TimeProvider clock)
{
    public async Task WriteAsync(Actor actor, string action, string? target, string? detail, CancellationToken cancellationToken = default)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.AuditLog.Add(new AuditEntry
        {
            At = clock.GetUtcNow(),
            Actor = Cut(actor.Name, 256)!,
            Action = action,
            Target = Cut(target, 512),
            Detail = Cut(detail, 2000),
            Address = Cut(actor.Address, 64),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Newest first; <paramref name="beforeId"/> pages backwards (the previous page's last id).</summary>
    public async Task<IReadOnlyList<AuditEntry>> ListAsync(AuditFilter filter, long? beforeId, int limit, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var query = db.AuditLog.AsNoTracking();
        if (filter.Actor is { Length: > 0 } actor) query = query.Where(e => e.Actor.Contains(actor));
        if (filter.Action is { Length: > 0 } action) query = query.Where(e => e.Action == action);
        if (filter.Target is { Length: > 0 } target) query = query.Where(e => e.Target != null && e.Target.Contains(target));
        if (filter.Since is { } since) query = query.Where(e => e.At >= since);
        if (filter.Until is { } until) query = query.Where(e => e.At < until);
        if (beforeId is { } before) query = query.Where(e => e.Id < before);
        return await query.OrderByDescending(e => e.Id).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(cancellationToken);
    }

    private static string? Cut(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}
