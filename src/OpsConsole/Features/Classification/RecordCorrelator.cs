using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification;

/// <summary>
/// Finds facts that only other records show and writes them as hints the rules can match:
/// <c>oom-evidence</c> (Docker sends <c>oom</c> just before <c>die</c> 137 for the same container) and
/// <c>booted-no-report</c> (a MAAS node PXE-booted the ephemeral image, then never reported back before
/// its commissioning timed out: seed B's silent failure). Looks in the batch first, then in the store.
/// </summary>
public sealed partial class RecordCorrelator(IDbContextFactory<OpsDbContext> databases)
{
    public const string OomEvidence = "oom-evidence";
    public const string BootedNoReport = "booted-no-report";

    private static readonly TimeSpan OomLookBack = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BootLookBack = TimeSpan.FromHours(6);

    /// <summary>MAAS event types that show the node got as far as booting the ephemeral image.</summary>
    private static readonly HashSet<string> BootSteps = new(StringComparer.OrdinalIgnoreCase)
        { "Performing PXE boot", "PXE Request", "TFTP Request", "HTTP Request", "Loading ephemeral" };

    /// <summary>MAAS event types that only appear once the booted node talks back to the region controller.</summary>
    private static readonly HashSet<string> ReportSteps = new(StringComparer.OrdinalIgnoreCase)
        { "Gathering information", "Script result", "Node installation", "Commissioning script", "Running test", "Configuring OS", "Rebooting" };

    public async Task AnnotateAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        for (var i = 0; i < records.Count; i++)
        {
            var record = records[i];
            if (record.Source == "docker" && record.Entry == "die" && record.ExitCode == 137
                && await HasRecentOomAsync(records, record, cancellationToken))
                AddHint(record, OomEvidence);
            else if (record.Format == "maas-event" && record.Message is { } message && CommissioningTimedOut().IsMatch(message)
                     && await BootedWithoutReportAsync(records, record, cancellationToken))
                AddHint(record, BootedNoReport);
        }
    }

    private async Task<bool> HasRecentOomAsync(IReadOnlyList<EventRecord> batch, EventRecord die, CancellationToken cancellationToken)
    {
        var from = die.OccurredAt - OomLookBack;
        if (batch.Any(r => r.InstanceKey == die.InstanceKey && r.Entry == "oom" && r.OccurredAt >= from && r.OccurredAt <= die.OccurredAt))
            return true;
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Records.AnyAsync(r => r.InstanceKey == die.InstanceKey && r.Entry == "oom"
                                              && r.OccurredAt >= from && r.OccurredAt <= die.OccurredAt, cancellationToken);
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

        var booted = steps.Any(s => s.Reason is not null && BootSteps.Contains(s.Reason));
        var reported = steps.Any(s => (s.Reason is not null && ReportSteps.Contains(s.Reason))
                                      || (s.Message is not null && CloudInit().IsMatch(s.Message)));
        return booted && !reported;
    }

    private static void AddHint(EventRecord record, string hint) =>
        record.Hints = string.IsNullOrEmpty(record.Hints) ? hint : $"{record.Hints} {hint}";

    [GeneratedRegex(@"'?commissioning'?\s.*timed out", RegexOptions.IgnoreCase)]
    private static partial Regex CommissioningTimedOut();

    [GeneratedRegex(@"cloud-?init", RegexOptions.IgnoreCase)]
    private static partial Regex CloudInit();
}
