using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Classification.Patterns;

/// <summary>
/// Failures that show only as silence, checked on a timer:
/// an Aos instance still <c>activating</c> with no newer status (<c>deploy.stalled</c>), a Nova server still
/// in BUILD (<c>vm.stalled</c>), and a MAAS node whose commissioning events stopped (seed B): after the
/// PXE/ephemeral boot with no report back it is <c>node.commission.controller-unreachable</c>, otherwise
/// <c>node.commission.timeout</c>. Silence is measured from when the last record was received.
/// </summary>
public sealed class SilenceDetector(
    IDbContextFactory<OpsDbContext> databases,
    PatternRecordWriter patterns,
    IncidentClassifier classifier,
    IOptionsMonitor<ClassificationOptions> options,
    TimeProvider clock,
    ILogger<SilenceDetector> logger) : BackgroundService
{
    public const string StalledRule = "pattern-silence";

    /// <summary>Newest MAAS events that mean "still commissioning": silence after one of them is the failure.</summary>
    private static readonly string[] CommissioningSteps = [.. MaasSteps.Boot, "Commissioning", "Gathering information", "Script result", "Node changed status"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.CurrentValue.DetectorInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "The silence detectors failed; they run again at the next tick");
            }
        }
    }

    /// <summary>One pass of every detector; returns the pattern records written.</summary>
    public async Task<IReadOnlyList<EventRecord>> RunOnceAsync(CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue;
        var now = clock.GetUtcNow();
        var version = classifier.Rules.Version;
        var found = new List<EventRecord>();

        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // Instances that are not failing now and whose newest record is a "still going" state.
        var quiet = await (from s in db.InstanceStates.AsNoTracking()
                           join r in db.Records.AsNoTracking() on s.LastRecordId equals r.Id
                           where !s.IsFailing
                                 && ((r.Source == "aos" && r.Entry == "instance" && r.State == "activating")
                                     || (r.Source == "nova" && (r.State == "BUILD" || r.State == "building"))
                                     || (r.Source == "maas" && r.Reason != null && CommissioningSteps.Contains(r.Reason)))
                           select r).ToListAsync(cancellationToken);

        foreach (var last in quiet)
        {
            var silentFor = now - last.ReceivedAt;
            var instance = InstanceIdentity.Of(last);
            switch (last.Source)
            {
                case "aos" when silentFor >= settings.StalledAfter:
                    found.Add(DerivedRecord.Create(instance, "deploy.stalled", "error", StalledRule,
                        $"state=activating; no newer status for {Minutes(silentFor)}",
                        $"Still activating with nothing reported for {Minutes(silentFor)} (threshold {Minutes(settings.StalledAfter)})",
                        [last.Id], now, version));
                    break;
                case "nova" when silentFor >= settings.VmBuildStalledAfter:
                    found.Add(DerivedRecord.Create(instance, "vm.stalled", "error", StalledRule,
                        $"state={last.State}; no newer report for {Minutes(silentFor)}",
                        $"Still building with nothing reported for {Minutes(silentFor)} (threshold {Minutes(settings.VmBuildStalledAfter)})",
                        [last.Id], now, version));
                    break;
                case "maas" when silentFor >= settings.CommissioningSilentAfter && !IsFinalStatusChange(last):
                    found.Add(await CommissioningSilenceAsync(db, last, instance, silentFor, now, version, cancellationToken));
                    break;
            }
        }

        return await patterns.WriteAsync(found, cancellationToken);
    }

    /// <summary>Seed B: after PXE and the ephemeral image, a node that never reports back cannot reach the controller.</summary>
    private static async Task<EventRecord> CommissioningSilenceAsync(OpsDbContext db, EventRecord last, InstanceIdentity instance,
        TimeSpan silentFor, DateTimeOffset now, string version, CancellationToken cancellationToken)
    {
        var since = last.OccurredAt - TimeSpan.FromHours(6);
        var steps = await db.Records.AsNoTracking()
            .Where(r => r.InstanceKey == last.InstanceKey && r.OccurredAt >= since && r.Reason != null)
            .Select(r => new { r.Id, r.Reason, r.Message })
            .ToListAsync(cancellationToken);
        var booted = steps.Where(s => MaasSteps.IsBoot(s.Reason)).Select(s => s.Id).ToList();
        var reported = steps.Any(s => MaasSteps.IsReport(s.Reason, s.Message));

        return booted.Count > 0 && !reported
            ? DerivedRecord.Create(instance, "node.commission.controller-unreachable", "critical", StalledRule,
                $"boot steps seen: {booted.Count}; reports back: none; silent for {Minutes(silentFor)}",
                $"Booted the ephemeral image, then nothing for {Minutes(silentFor)}: the node most likely cannot reach the region controller",
                [.. booted, last.Id], now, version)
            : DerivedRecord.Create(instance, "node.commission.timeout", "error", StalledRule,
                $"last step: {last.Reason}; silent for {Minutes(silentFor)}",
                $"Commissioning has reported nothing for {Minutes(silentFor)}",
                [last.Id], now, version);
    }

    /// <summary>"Node changed status" to a settled state (Ready, Deployed…) is not a node still commissioning.</summary>
    private static bool IsFinalStatusChange(EventRecord last) =>
        last.Reason == "Node changed status" && last.Message is { } m && !m.EndsWith("'Commissioning'", StringComparison.Ordinal);

    private static string Minutes(TimeSpan span) => $"{span.TotalMinutes:0} min";
}
