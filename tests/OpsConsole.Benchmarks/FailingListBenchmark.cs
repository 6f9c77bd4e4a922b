using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using OpsConsole.Data;
using OpsConsole.Features.Instances;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The failing list's server time with a large store: seeds a fresh SQLite file with N records (raw inserts,
/// instance states kept as the console keeps them), then times the console's own failing-list query for the
/// views operators use most.
/// </summary>
public static class FailingListBenchmark
{
    public static async Task<int> RunAsync(int records)
    {
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "large.db");
        var seed = await IngestBenchmark.RawInsertRateAsync(path, Workload.Batches(records, 500).ToList(), sameSettings: true);
        var options = new DbContextOptionsBuilder<OpsDbContext>().UseSqlite($"Data Source={path}").Options;
        var queries = new InstanceQueries(new PooledDbContextFactory<OpsDbContext>(options));
        await using (var db = new OpsDbContext(options))
            Console.WriteLine($"seeded {seed.Records} records ({seed.RecordsPerSecond:F0}/s); {await db.InstanceStates.CountAsync()} instances, {await db.InstanceStates.CountAsync(s => s.IsFailing)} failing");

        (string Name, Func<Task<FailingPage>> Query)[] views =
        [
            ("home: newest failures, 50 rows", () => queries.FailingAsync(new FailingFilter(), FailingSort.LastFailure, true, 0, 50, default)),
            ("family=exit", () => queries.FailingAsync(new FailingFilter(Family: "exit"), FailingSort.LastFailure, true, 0, 50, default)),
            ("severity=critical, kind=container", () => queries.FailingAsync(new FailingFilter(Kind: "container", Severity: "critical"), FailingSort.LastFailure, true, 0, 50, default)),
            ("search 'svc-42'", () => queries.FailingAsync(new FailingFilter(Search: "svc-42"), FailingSort.LastFailure, true, 0, 50, default)),
            ("sort by failures, page 20", () => queries.FailingAsync(new FailingFilter(), FailingSort.Failures, true, 1000, 50, default)),
            ("family chips (counts)", async () => { await queries.FailingByFamilyAsync(new FailingFilter(), default); return null!; }),
        ];
        foreach (var (name, query) in views)
        {
            for (var i = 0; i < 5; i++) await query();
            var times = new List<double>();
            for (var i = 0; i < 40; i++)
            {
                var watch = Stopwatch.StartNew();
                await query();
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine($"{name,-36}: median {times[times.Count / 2]:F1} ms, p95 {times[(int)(times.Count * 0.95)]:F1} ms");
        }
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }
}
