using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;

namespace OpsConsole.Features.Runbooks;

/// <summary>Saves and reads checklist ticks per instance and failure (record).</summary>
public sealed class RunbookProgress(IDbContextFactory<OpsDbContext> databases, TimeProvider clock, AuditLog audit)
{
    /// <summary>The current state of each step ticked or unticked so far for this failure.</summary>
    public async Task<IReadOnlyDictionary<string, RunbookStepMark>> StateAsync(string instanceKey, long recordId,
        CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var marks = await db.RunbookSteps.AsNoTracking()
            .Where(m => m.InstanceKey == instanceKey && m.RecordId == recordId)
            .OrderBy(m => m.Id).ToListAsync(cancellationToken);
        var latest = new Dictionary<string, RunbookStepMark>(StringComparer.Ordinal);
        foreach (var mark in marks) latest[mark.StepId] = mark;
        return latest;
    }

    public async Task<RunbookStepMark> MarkAsync(string instanceKey, long recordId, string category, RunbookStep step, bool done,
        Actor by, CancellationToken cancellationToken)
    {
        var mark = new RunbookStepMark
        {
            InstanceKey = instanceKey,
            RecordId = recordId,
            Category = category,
            StepId = step.StepId,
            StepText = step.Text.Length > 500 ? step.Text[..500] : step.Text,
            Done = done,
            At = clock.GetUtcNow(),
            By = by.Name,
        };
        await using (var db = await databases.CreateDbContextAsync(cancellationToken))
        {
            db.RunbookSteps.Add(mark);
            await db.SaveChangesAsync(cancellationToken);
        }
        await audit.WriteAsync(by, AuditActions.Tick, instanceKey, $"{(done ? "ticked" : "unticked")} {category} step {step.StepId} (record {recordId})",
            cancellationToken);
        return mark;
    }

    /// <summary>Every tick and untick on an instance, newest first, for its timeline.</summary>
    public async Task<IReadOnlyList<RunbookStepMark>> ForInstanceAsync(string instanceKey, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.RunbookSteps.AsNoTracking().Where(m => m.InstanceKey == instanceKey)
            .OrderByDescending(m => m.Id).Take(500).ToListAsync(cancellationToken);
    }
}
