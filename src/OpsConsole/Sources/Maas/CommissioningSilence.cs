using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Maas;

/// <summary>
/// A MAAS node whose commissioning events stopped (seed B): after the PXE/ephemeral boot with no report back
/// it is <c>node.commission.controller-unreachable</c>, otherwise <c>node.commission.timeout</c>.
/// </summary>
internal sealed class CommissioningSilence : ISilenceCheck
{
    /// <summary>Newest MAAS events that mean "still commissioning": silence after one of them is the failure.</summary>
    private static readonly string[] CommissioningSteps = [.. MaasSteps.Boot, "Commissioning", "Gathering information", "Script result", "Node changed status"];

    public Expression<Func<EventRecord, bool>> StillGoing { get; } = r => r.Reason != null && CommissioningSteps.Contains(r.Reason);

    public async Task<EventRecord?> CheckAsync(SilenceContext context, EventRecord last, TimeSpan silentFor, CancellationToken cancellationToken)
    {
        if (silentFor < context.Settings.CommissioningSilentAfter || IsFinalStatusChange(last)) return null;
        var since = last.OccurredAt - TimeSpan.FromHours(6);
        var steps = await context.Db.Records.AsNoTracking()
            .Where(r => r.InstanceKey == last.InstanceKey && r.OccurredAt >= since && r.Reason != null)
            .Select(r => new { r.Id, r.Reason, r.Message })
            .ToListAsync(cancellationToken);
        var booted = steps.Where(s => MaasSteps.IsBoot(s.Reason)).Select(s => s.Id).ToList();
        var reported = steps.Any(s => MaasSteps.IsReport(s.Reason, s.Message));
        var instance = InstanceIdentity.Of(last);
        var quiet = SilenceContext.Minutes(silentFor);

        return booted.Count > 0 && !reported
            ? DerivedRecord.Create(instance, "node.commission.controller-unreachable", "critical", context.RuleId,
                $"boot steps seen: {booted.Count}; reports back: none; silent for {quiet}",
                $"Booted the ephemeral image, then nothing for {quiet}: the node most likely cannot reach the region controller",
                [.. booted, last.Id], context.Now, context.RulesetVersion)
            : DerivedRecord.Create(instance, "node.commission.timeout", "error", context.RuleId,
                $"last step: {last.Reason}; silent for {quiet}",
                $"Commissioning has reported nothing for {quiet}",
                [last.Id], context.Now, context.RulesetVersion);
    }

    /// <summary>"Node changed status" to a settled state (Ready, Deployed…) is not a node still commissioning.</summary>
    private static bool IsFinalStatusChange(EventRecord last) =>
        last.Reason == "Node changed status" && last.Message is { } m && !m.EndsWith("'Commissioning'", StringComparison.Ordinal);
}
