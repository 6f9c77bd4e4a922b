using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Maas;

/// <summary>
/// <c>booted-no-report</c>: a MAAS node PXE-booted the ephemeral image, then never reported back before its
/// commissioning timed out (seed B's silent failure). Looks in the batch and in the store.
/// </summary>
public sealed partial class BootedNoReportCorrelation(IDbContextFactory<OpsDbContext> databases) : IRecordCorrelation
{
    public const string Hint = "booted-no-report";

    private static readonly TimeSpan BootLookBack = TimeSpan.FromHours(6);

    public async Task AnnotateAsync(IReadOnlyList<EventRecord> batch, CancellationToken cancellationToken)
    {
        foreach (var record in batch)
        {
            if (record.Format == MaasFormat.EventFormat && record.Message is { } message && CommissioningTimedOut().IsMatch(message)
                && await BootedWithoutReportAsync(batch, record, cancellationToken))
                IRecordCorrelation.AddHint(record, Hint);
        }
    }

    private async Task<bool> BootedWithoutReportAsync(IReadOnlyList<EventRecord> batch, EventRecord timeout, CancellationToken cancellationToken)
    {
        var from = timeout.OccurredAt - BootLookBack;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var stored = await db.Records.AsNoTracking()
            .Where(r => r.InstanceKey == timeout.InstanceKey && r.OccurredAt >= from && r.OccurredAt <= timeout.OccurredAt)
            .Select(r => new { r.Reason, r.Message })
            .ToListAsync(cancellationToken);
        var steps = batch.Where(r => r.InstanceKey == timeout.InstanceKey && r.OccurredAt >= from && r.OccurredAt <= timeout.OccurredAt)
            .Select(r => (r.Reason, r.Message))
            .Concat(stored.Select(s => (s.Reason, s.Message)))
            .ToList();

        var booted = steps.Any(s => MaasSteps.IsBoot(s.Reason));
        var reported = steps.Any(s => MaasSteps.IsReport(s.Reason, s.Message));
        return booted && !reported;
    }

    [GeneratedRegex(@"'?commissioning'?\s.*timed out", RegexOptions.IgnoreCase)]
    private static partial Regex CommissioningTimedOut();
}
