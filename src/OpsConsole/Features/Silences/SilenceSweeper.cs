using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Features.Cluster;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Instances;

namespace OpsConsole.Features.Silences;

/// <summary>
/// Ends silences and single-instance mutes by themselves: when their end time has passed, or (until-recovered ones) when
/// nothing they match is failing any more. Each ending is audited as the console's own doing.
/// </summary>
public sealed class SilenceSweeper(IDbContextFactory<OpsDbContext> databases, TimeProvider clock, AuditLog audit, ICommitFeed notices,
    IConfiguration configuration, IClusterLease lease, ILogger<SilenceSweeper> logger) : LeaderOnlyService(lease, logger)
{
    protected override string Job => "silence-sweeper";

    private static readonly Actor ConsoleItself = new("console", null);

    protected override async Task LeadAsync(CancellationToken stoppingToken)
    {
        var interval = configuration.GetValue("Silences:SweepInterval", TimeSpan.FromSeconds(15));
        using var timer = new PeriodicTimer(interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError(e, "Ending expired silences failed; retrying on the next tick");
            }
        }
    }

    /// <summary>Ends what is due now; gives how many silences and mutes ended.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var ended = 0;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);

        foreach (var silence in await db.Silences.Where(s => s.EndedAt == null).ToListAsync(cancellationToken))
        {
            var why = silence.EndsAt <= now ? "expired"
                : silence.UntilRecovered && !await silence.Match(db.InstanceStates.Where(s => s.IsFailing)).AnyAsync(cancellationToken) ? "recovered"
                : null;
            if (why is null) continue;
            silence.EndedAt = why == "expired" ? silence.EndsAt : now;
            silence.EndedBy = ConsoleItself.Name;
            await audit.WriteAsync(ConsoleItself, AuditActions.SilenceExpire, $"silence {silence.Id}", $"{silence.Describe()}: {why}", cancellationToken);
            ended++;
        }
        await db.SaveChangesAsync(cancellationToken);

        var mutes = await db.Acknowledgements.Where(a => a.Status == InstanceAcknowledgement.Muted && (a.ExpiresAt != null || a.UntilRecovered))
            .ToListAsync(cancellationToken);
        foreach (var mute in mutes)
        {
            var why = mute.ExpiresAt <= now ? "expired"
                : mute.UntilRecovered && !await db.InstanceStates.AnyAsync(s => s.InstanceKey == mute.InstanceKey && s.IsFailing, cancellationToken) ? "recovered"
                : null;
            if (why is null) continue;
            db.Acknowledgements.Remove(mute);
            await audit.WriteAsync(ConsoleItself, AuditActions.SilenceExpire, mute.InstanceKey, $"mute by {mute.By}: {why}", cancellationToken);
            ended++;
        }
        await db.SaveChangesAsync(cancellationToken);
        if (ended > 0) notices.Publish(CommitNotice.Of(CommitKinds.Acknowledgement, null));
        return ended;
    }
}
