using System.Collections.Concurrent;
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
public sealed partial class RecordCorrelator(IDbContextFactory<OpsDbContext> databases, TimeProvider clock)
{
    /// <summary>Newest Docker OOM time per container, so a die 137 needs no query; primed from the store once.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _recentOoms = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _primeOnce = new(1, 1);
    private volatile bool _primed;
    private const int MaxTrackedOoms = 50_000;

    public const string OomEvidence = "oom-evidence";
    public const string BootedNoReport = "booted-no-report";

    private static readonly TimeSpan OomLookBack = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BootLookBack = TimeSpan.FromHours(6);

    public async Task AnnotateAsync(IReadOnlyList<EventRecord> records, CancellationToken cancellationToken)
    {
        var kills = records.Where(r => r.Source == "docker" && r.Entry == "die" && r.ExitCode == 137).ToList();
        if (kills.Count > 0)
        {
            var withOom = await ContainersWithRecentOomAsync(records, kills, cancellationToken);
            foreach (var die in kills.Where(withOom.Contains)) AddHint(die, OomEvidence);
        }

        foreach (var record in records)
        {
            if (record.Format == "maas-event" && record.Message is { } message && CommissioningTimedOut().IsMatch(message)
                && await BootedWithoutReportAsync(records, record, cancellationToken))
                AddHint(record, BootedNoReport);
        }
    }

    /// <summary>The die events that an <c>oom</c> event of the same container preceded (in the batch or before) within seconds.</summary>
    private async Task<HashSet<EventRecord>> ContainersWithRecentOomAsync(IReadOnlyList<EventRecord> batch, List<EventRecord> kills, CancellationToken cancellationToken)
    {
        await PrimeAsync(cancellationToken);
        var inBatch = batch.Where(r => r.Source == "docker" && r.Entry == "oom").ToLookup(r => r.InstanceKey, r => r.OccurredAt, StringComparer.Ordinal);
        return kills.Where(die =>
                inBatch[die.InstanceKey].Any(t => t >= die.OccurredAt - OomLookBack && t <= die.OccurredAt)
                || (_recentOoms.TryGetValue(die.InstanceKey, out var last) && last >= die.OccurredAt - OomLookBack && last <= die.OccurredAt))
            .ToHashSet();
    }

    /// <summary>Remembers the OOM events of a committed batch for the die events of later batches.</summary>
    public void Remember(IReadOnlyList<EventRecord> committed)
    {
        foreach (var oom in committed)
        {
            if (oom.Source != "docker" || oom.Entry != "oom") continue;
            _recentOoms.AddOrUpdate(oom.InstanceKey, oom.OccurredAt, (_, known) => known > oom.OccurredAt ? known : oom.OccurredAt);
        }
        if (_recentOoms.Count <= MaxTrackedOoms) return;
        var cutoff = _recentOoms.Values.Max() - TimeSpan.FromHours(1);
        foreach (var (key, at) in _recentOoms)
            if (at < cutoff) _recentOoms.TryRemove(key, out _);
    }

    private async Task PrimeAsync(CancellationToken cancellationToken)
    {
        if (_primed) return;
        await _primeOnce.WaitAsync(cancellationToken);
        try
        {
            if (_primed) return;
            var since = clock.GetUtcNow() - TimeSpan.FromHours(1);
            await using var db = await databases.CreateDbContextAsync(cancellationToken);
            var stored = await db.Records.AsNoTracking()
                .Where(r => r.Source == "docker" && r.Entry == "oom" && r.ReceivedAt >= since)
                .Select(r => new { r.InstanceKey, r.OccurredAt })
                .ToListAsync(cancellationToken);
            foreach (var oom in stored)
                _recentOoms.AddOrUpdate(oom.InstanceKey, oom.OccurredAt, (_, known) => known > oom.OccurredAt ? known : oom.OccurredAt);
            _primed = true;
        }
        finally
        {
            _primeOnce.Release();
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

    private static void AddHint(EventRecord record, string hint) =>
        record.Hints = string.IsNullOrEmpty(record.Hints) ? hint : $"{record.Hints} {hint}";

    [GeneratedRegex(@"'?commissioning'?\s.*timed out", RegexOptions.IgnoreCase)]
    private static partial Regex CommissioningTimedOut();
}
