using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpsConsole.Data;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Cluster;
using Row = OpsConsole.Benchmarks.RecordsBenchmark.Row;

namespace OpsConsole.Benchmarks;

/// <summary>
/// A kept benchmark store is classified by the rules of the build that made it, and every edit of a shipped rule file
/// changes the rule-set version; a console started on a store of another version reclassifies all of it in the
/// background, and the start-up and read figures then measure that run too. A console killed part-way (each
/// <c>records --reads</c> run on a stale store) leaves the store on two versions. So before anything is timed, the
/// console's own reclassifier (the console's shipped rules, the store's update path) brings every record to this
/// build's version, and the row says what it did.
/// </summary>
internal static class QuietStore
{
    public static async Task<Row> ReclassifiedAsync(Func<OpsDbContext> context, IRecordStore store)
    {
        var options = new FixedOptions(new ClassificationOptions());
        var classifier = new IncidentClassifier(options, NullLogger<IncidentClassifier>.Instance);
        var versions = new List<string>();
        await using (var db = context())
            for (var v = await Reclassifier.NextVersionQuery(db, null).FirstOrDefaultAsync(); v is not null; v = await Reclassifier.NextVersionQuery(db, v).FirstOrDefaultAsync())
                versions.Add(v);
        var current = classifier.Rules.Version;
        if (versions.All(v => v == current)) return new Row("store's rule set", $"every record at this build's version {current}: nothing to reclassify", "");

        var reclassifier = new Reclassifier(new Contexts(context), store, classifier, options, TimeProvider.System, new SingleNodeLease(),
            NullLogger<Reclassifier>.Instance);
        var watch = Stopwatch.StartNew();
        using var report = new Timer(_ => Console.WriteLine($"reclassifying: {reclassifier.Progress.Done} of {reclassifier.Progress.Pending} records, {watch.Elapsed.TotalSeconds:F0} s"),
            null, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30));
        await reclassifier.RunAsync(CancellationToken.None);
        var progress = reclassifier.Progress;
        if (progress.State != "done") throw new InvalidOperationException($"the reclassification before the timed part ended '{progress.State}': {progress.Error}");
        return new Row("store's rule set", $"versions {string.Join(", ", versions)} → {current}: {progress.Done} records reclassified " +
                                           $"({progress.Changed} changed category) in {watch.Elapsed.TotalSeconds:F0} s, before the timed part", "");
    }

    private sealed class Contexts(Func<OpsDbContext> context) : IDbContextFactory<OpsDbContext>
    {
        public OpsDbContext CreateDbContext() => context();
    }

    private sealed class FixedOptions(ClassificationOptions value) : IOptionsMonitor<ClassificationOptions>
    {
        public ClassificationOptions CurrentValue => value;
        public ClassificationOptions Get(string? name) => value;
        public IDisposable? OnChange(Action<ClassificationOptions, string?> listener) => null;
    }
}
