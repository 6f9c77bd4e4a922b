using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Docker;

/// <summary>
/// <c>oom-evidence</c>: Docker sends <c>oom</c> just before <c>die</c> 137 for the same container; the die
/// itself does not say why. Looks in the batch first, then in the OOMs remembered from earlier batches.
/// </summary>
public sealed class OomCorrelation(IDbContextFactory<OpsDbContext> databases, TimeProvider clock) : IRecordCorrelation
{
    public const string Hint = "oom-evidence";

    /// <summary>Newest Docker OOM time per container, so a die 137 needs no query; primed from the store once.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _recentOoms = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _primeOnce = new(1, 1);
    private volatile bool _primed;
    private const int MaxTrackedOoms = 50_000;
    private static readonly TimeSpan OomLookBack = TimeSpan.FromSeconds(10);

    public async Task AnnotateAsync(IReadOnlyList<EventRecord> batch, CancellationToken cancellationToken)
    {
        var kills = batch.Where(r => r.Source == DockerProfile.SourceName && r.Entry == "die" && r.ExitCode == 137).ToList();
        if (kills.Count == 0) return;
        await PrimeAsync(cancellationToken);
        var inBatch = batch.Where(IsOom).ToLookup(r => r.InstanceKey, r => r.OccurredAt, StringComparer.Ordinal);
        foreach (var die in kills)
        {
            if (inBatch[die.InstanceKey].Any(t => t >= die.OccurredAt - OomLookBack && t <= die.OccurredAt)
                || (_recentOoms.TryGetValue(die.InstanceKey, out var last) && last >= die.OccurredAt - OomLookBack && last <= die.OccurredAt))
                IRecordCorrelation.AddHint(die, Hint);
        }
    }

    /// <summary>Remembers the OOM events of a committed batch for the die events of later batches.</summary>
    public void Remember(IReadOnlyList<EventRecord> committed)
    {
        foreach (var oom in committed)
        {
            if (!IsOom(oom)) continue;
            _recentOoms.AddOrUpdate(oom.InstanceKey, oom.OccurredAt, (_, known) => known > oom.OccurredAt ? known : oom.OccurredAt);
        }
        if (_recentOoms.Count <= MaxTrackedOoms) return;
        var cutoff = _recentOoms.Values.Max() - TimeSpan.FromHours(1);
        foreach (var (key, at) in _recentOoms)
            if (at < cutoff) _recentOoms.TryRemove(key, out _);
    }

    private static bool IsOom(EventRecord r) => r.Source == DockerProfile.SourceName && r.Entry == "oom";

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
                .Where(r => r.Source == DockerProfile.SourceName && r.Entry == "oom" && r.ReceivedAt >= since)
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
}
