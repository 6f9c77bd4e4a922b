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

    /// <summary>Newest Docker OOM time per container, so a die 137 needs no query; primed from the store once, at start-up.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _recentOoms = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Task? _priming;
    private const int MaxTrackedOoms = 50_000;
    private static readonly TimeSpan OomLookBack = TimeSpan.FromSeconds(10);

    public async Task AnnotateAsync(IReadOnlyList<EventRecord> batch, CancellationToken cancellationToken)
    {
        var kills = batch.Where(r => r.Source == DockerProfile.SourceName && r.Entry == "die" && r.ExitCode == 137).ToList();
        if (kills.Count == 0) return;
        // Started at start-up (CorrelationPriming); a request arriving before it finished waits for that one read.
        await PrimeAsync(cancellationToken).WaitAsync(cancellationToken);
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

    /// <summary>The one priming read, shared by whoever asks first (the start-up priming, normally).</summary>
    public Task PrimeAsync(CancellationToken cancellationToken)
    {
        lock (_gate) return _priming ??= LoadAsync();
    }

    /// <summary>The OOMs received in the last hour, a range of the ReceivedAt index.</summary>
    internal static IQueryable<EventRecord> PrimeQuery(OpsDbContext db, DateTimeOffset since) =>
        db.Records.AsNoTracking().Where(r => r.ReceivedAt >= since && r.Source == DockerProfile.SourceName && r.Entry == "oom");

    private async Task LoadAsync()
    {
        await using var db = await databases.CreateDbContextAsync();
        List<(string InstanceKey, DateTimeOffset OccurredAt)> stored;
        try
        {
            stored = (await PrimeQuery(db, clock.GetUtcNow() - TimeSpan.FromHours(1))
                .Select(r => new { r.InstanceKey, r.OccurredAt }).ToListAsync()).Select(r => (r.InstanceKey, r.OccurredAt)).ToList();
        }
        catch
        {
            // A failed read (a busy or full store) is tried again by the next caller rather than remembered.
            lock (_gate) _priming = null;
            throw;
        }
        foreach (var oom in stored)
            _recentOoms.AddOrUpdate(oom.InstanceKey, oom.OccurredAt, (_, known) => known > oom.OccurredAt ? known : oom.OccurredAt);
    }
}
