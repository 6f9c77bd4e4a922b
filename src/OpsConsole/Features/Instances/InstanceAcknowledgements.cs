using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;

namespace OpsConsole.Features.Instances;

/// <summary>Acknowledges, mutes and clears failing instances (one row per instance, replaced on each change).</summary>
public sealed class InstanceAcknowledgements(IDbContextFactory<OpsDbContext> databases, TimeProvider clock)
{
    public async Task<InstanceAcknowledgement> SetAsync(string instanceKey, string status, string? note, string? by,
        CancellationToken cancellationToken)
    {
        if (status is not (InstanceAcknowledgement.Acknowledged or InstanceAcknowledgement.Muted))
            throw new ArgumentException($"Status must be '{InstanceAcknowledgement.Acknowledged}' or '{InstanceAcknowledgement.Muted}'.", nameof(status));
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
        ack.By = by;
        ack.LastFailureAt = state.LastFailureAt;
        await db.SaveChangesAsync(cancellationToken);
        return ack;
    }

    public async Task ClearAsync(string instanceKey, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Acknowledgements.Where(a => a.InstanceKey == instanceKey).ExecuteDeleteAsync(cancellationToken);
    }
}
