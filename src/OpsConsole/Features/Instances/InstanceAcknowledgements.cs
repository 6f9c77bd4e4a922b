using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;

namespace OpsConsole.Features.Instances;

/// <summary>Acknowledges, mutes and clears failing instances (one row per instance, replaced on each change); each change is audited.</summary>
public sealed class InstanceAcknowledgements(IDbContextFactory<OpsDbContext> databases, TimeProvider clock, AuditLog audit, ICommitFeed notices)
{
    /// <summary>How long a mute lasts when given no end and not asked to last until the instance recovers.</summary>
    public static readonly TimeSpan DefaultMute = TimeSpan.FromHours(1);

    public async Task<InstanceAcknowledgement> SetAsync(string instanceKey, string status, string? note, Actor by,
        CancellationToken cancellationToken, DateTimeOffset? expiresAt = null, bool untilRecovered = false)
    {
        if (status is not (InstanceAcknowledgement.Acknowledged or InstanceAcknowledgement.Muted))
            throw new ArgumentException($"Status must be '{InstanceAcknowledgement.Acknowledged}' or '{InstanceAcknowledgement.Muted}'.", nameof(status));
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await WriteAsync(instanceKey, status, note, by, expiresAt, untilRecovered, cancellationToken);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // Two first acknowledgements of one instance raced to insert its row: the loser finds it now and updates it.
            }
        }
    }

    private async Task<InstanceAcknowledgement> WriteAsync(string instanceKey, string status, string? note, Actor by,
        DateTimeOffset? expiresAt, bool untilRecovered, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var state = await db.InstanceStates.AsNoTracking().FirstOrDefaultAsync(s => s.InstanceKey == instanceKey, cancellationToken)
            ?? throw new KeyNotFoundException($"No instance '{instanceKey}'.");
        var ack = await db.Acknowledgements.FirstOrDefaultAsync(a => a.InstanceKey == instanceKey, cancellationToken);
        if (ack is null)
        {
            ack = new InstanceAcknowledgement { InstanceKey = instanceKey, Status = status };
            db.Acknowledgements.Add(ack);
        }
        ack.Status = status;
        ack.Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim()[..Math.Min(note.Trim().Length, 2000)];
        ack.At = clock.GetUtcNow();
        var muted = status == InstanceAcknowledgement.Muted;
        ack.UntilRecovered = muted && untilRecovered;
        ack.ExpiresAt = !muted || untilRecovered ? null : expiresAt ?? ack.At + DefaultMute;
        if (ack.ExpiresAt <= ack.At) throw new ArgumentException("A mute must end in the future.", nameof(expiresAt));
        ack.By = by.Name;
        ack.LastFailureAt = state.LastFailureAt;
        await db.SaveChangesAsync(cancellationToken);
        notices.Publish(CommitNotice.Of(CommitKinds.Acknowledgement, [instanceKey]));
        await audit.WriteAsync(by, muted ? AuditActions.Mute : AuditActions.Acknowledge, instanceKey,
            muted ? $"{ack.Note} (until {(ack.UntilRecovered ? "recovered" : ack.ExpiresAt?.ToString("u"))})" : ack.Note, cancellationToken);
        return ack;
    }

    public async Task ClearAsync(string instanceKey, Actor by, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        if (await db.Acknowledgements.Where(a => a.InstanceKey == instanceKey).ExecuteDeleteAsync(cancellationToken) == 0) return;
        notices.Publish(CommitNotice.Of(CommitKinds.Acknowledgement, [instanceKey]));
        await audit.WriteAsync(by, AuditActions.Unmute, instanceKey, null, cancellationToken);
    }
}
