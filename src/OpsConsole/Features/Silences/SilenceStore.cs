using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;

namespace OpsConsole.Features.Silences;

/// <summary>What a new silence matches, why, and how long it lasts.</summary>
public sealed record SilenceRequest(string? Category, string? Family, string? Source, string? Location, string? InstancePattern,
    string? Reason, DateTimeOffset? EndsAt, bool UntilRecovered);

/// <summary>Makes, ends and lists silences; each change is audited.</summary>
public sealed class SilenceStore(IDbContextFactory<OpsDbContext> databases, TimeProvider clock, AuditLog audit, ICommitFeed notices)
{
    public async Task<Silence> CreateAsync(SilenceRequest request, Actor by, CancellationToken cancellationToken)
    {
        var silence = new Silence
        {
            Category = Blank(request.Category), Family = Blank(request.Family), Source = Blank(request.Source),
            Location = Blank(request.Location), InstancePattern = Blank(request.InstancePattern),
            Reason = request.Reason?.Trim() is { Length: > 0 } reason ? reason[..Math.Min(reason.Length, 2000)] : "",
            CreatedBy = by.Name, CreatedAt = clock.GetUtcNow(), EndsAt = request.EndsAt, UntilRecovered = request.UntilRecovered,
        };
        if (!silence.HasMatcher) throw new ArgumentException("A silence needs at least one matcher (category, family, source, location or instance).");
        if (silence.Reason.Length == 0) throw new ArgumentException("A silence needs a reason.");
        if (silence.EndsAt is null && !silence.UntilRecovered) throw new ArgumentException("A silence needs an end: a time, or until the instances recover.");
        if (silence.EndsAt <= silence.CreatedAt) throw new ArgumentException("The end must be in the future.");
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.Silences.Add(silence);
            await db.SaveChangesAsync(cancellationToken);
        }
        // A silence matches by pattern: any instance may look different now.
        notices.Publish(CommitNotice.Of(CommitKinds.Acknowledgement, null));
        await audit.WriteAsync(by, AuditActions.SilenceCreate, silence.Describe(),
            $"{silence.Reason} (until {(silence.UntilRecovered ? "recovered" : silence.EndsAt?.ToString("u"))})", cancellationToken);
        return silence;
    }

    /// <summary>Ends an active silence by hand; false when there is none with that id.</summary>
    public async Task<bool> EndAsync(int id, Actor by, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var ended = await db.Silences.Where(s => s.Id == id && s.EndedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.EndedAt, now).SetProperty(x => x.EndedBy, by.Name), cancellationToken);
        if (ended == 0) return false;
        notices.Publish(CommitNotice.Of(CommitKinds.Acknowledgement, null));
        await audit.WriteAsync(by, AuditActions.SilenceExpire, $"silence {id}", "ended by hand", cancellationToken);
        return true;
    }

    /// <summary>Active silences first, then the most recently ended.</summary>
    public async Task<IReadOnlyList<Silence>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var active = await db.Silences.AsNoTracking().Where(s => s.EndedAt == null).OrderByDescending(s => s.Id).ToListAsync(cancellationToken);
        var ended = await db.Silences.AsNoTracking().Where(s => s.EndedAt != null).OrderByDescending(s => s.EndedAt).Take(200).ToListAsync(cancellationToken);
        return [.. active, .. ended];
    }

    /// <summary>The failing instances some active silence matches; empty (and one cheap query) when nothing is silenced.</summary>
    public static async Task<HashSet<string>> SilencedKeysAsync(OpsDbContext db, CancellationToken cancellationToken)
    {
        var active = await db.Silences.AsNoTracking().Where(s => s.EndedAt == null).ToListAsync(cancellationToken);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var silence in active)
            keys.UnionWith(await silence.Match(db.InstanceStates.AsNoTracking().Where(s => s.IsFailing)).Select(s => s.InstanceKey).ToListAsync(cancellationToken));
        return keys;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
