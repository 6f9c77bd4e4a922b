using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Data.Postgres;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Retention deleting expired records while ingestion goes on: a database seeded with records received 200 days ago
/// (past the default 90-day Retention:MaxAge), a running console whose first retention check comes after a quiet spell,
/// and two senders posting throughout. Ingest rate before the run against during it, in one run. SQLite: a fresh file,
/// whose retention deletes in batches and gives the space back by incremental vacuum. PostgreSQL (<c>--provider
/// postgres</c>): a throwaway cluster with durable settings, whose retention drops whole day partitions and deletes the
/// rest of a day it keeps (the one holding each instance's current record) in batches.
/// </summary>
public static class RetentionBenchmark
{
    private const int Instances = 10_000, SeedBatch = 5_000;
    // The rate before the run is read from WarmUp on: by then the console has posted past its first ~40 000 records,
    // which run on quick (tier-0) JIT code and would make "before" look slow.
    private static readonly TimeSpan FirstCheck = TimeSpan.FromSeconds(90), CheckDue = FirstCheck - TimeSpan.FromSeconds(2), WarmUp = TimeSpan.FromSeconds(40);
    private const string Deleted = "opsconsole_retention_deleted_records_total";

    public static async Task<int> RunAsync(int expired, bool postgres)
    {
        if (postgres)
        {
            await using var cluster = await PostgresCluster.StartAsync(PostgresIngestBenchmark.Durable);
            var connectionString = await cluster.CreateDatabaseAsync("retention");
            await using var dataSource = NpgsqlDataSource.Create(connectionString);
            await MeasureAsync(expired, () => SeedPostgresAsync(connectionString, expired), async () =>
            {
                await using var size = dataSource.CreateCommand("SELECT pg_database_size(current_database())");
                return (long)(await size.ExecuteScalarAsync())!;
            }, "unused.db", new Dictionary<string, string> { ["Database__Provider"] = "Postgres", ["ConnectionStrings__OpsConsole"] = connectionString });
            NpgsqlConnection.ClearAllPools();
            return 0;
        }
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "retention.db");
        try
        {
            await MeasureAsync(expired, () => SeedSqliteAsync(path, expired), () => Task.FromResult(new FileInfo(path).Length), path, []);
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Seeds, starts the console on the seeded database, and times ingest before and during the retention run.</summary>
    private static async Task MeasureAsync(int expired, Func<Task> seed, Func<Task<long>> bytes, string path, Dictionary<string, string> settings)
    {
        var seeding = Stopwatch.StartNew();
        await seed();
        // Closing the seed's SQLite connections folds its WAL into the file, whose size then counts the records.
        SqliteConnection.ClearAllPools();
        var seeded = await bytes();
        Console.WriteLine($"seeded {expired} expired records over {Instances} instances in {seeding.Elapsed.TotalSeconds:F0} s ({seeded / 1_048_576} MB)");

        settings["Retention__Interval"] = FirstCheck.ToString();
        await using var console = await RunningConsole.StartAsync(path, settings);
        var clock = Stopwatch.StartNew();
        var posts = new ConcurrentQueue<(double At, int Accepted)>();
        using var stop = new CancellationTokenSource();
        var senders = Senders(console.Http, clock, posts, stop.Token);

        // The run: from the first check until every expired record but each instance's current one is gone. The check is
        // due one interval after the job started, which was before the console answered (and this clock started): so
        // from CheckDue at the latest. The deleted-records count cannot mark it: on PostgreSQL it moves only once a
        // whole day has been dropped, long after the run began.
        double? runEnd = null;
        var runStart = CheckDue.TotalSeconds;
        var lastReport = 0.0;
        var started = false;
        while (runEnd is null)
        {
            await Task.Delay(250);
            var deleted = await console.MetricAsync(Deleted);
            var now = clock.Elapsed.TotalSeconds;
            if (now >= runStart && !started)
            {
                started = true;
                Console.WriteLine($"{now,5:F0} s: retention's first check is due; ingest before it {Rate(posts, WarmUp.TotalSeconds, runStart):F0} records/s");
            }
            if (deleted >= expired - Instances) runEnd = now;
            if (started && now - lastReport >= 10)
            {
                Console.WriteLine($"{now,5:F0} s: {deleted:F0} deleted, ingest {Rate(posts, now - 10, now):F0} records/s over the last 10 s");
                lastReport = now;
            }
            if (clock.Elapsed > FirstCheck + TimeSpan.FromMinutes(30)) throw new TimeoutException($"retention deleted only {deleted} records in 30 minutes");
        }
        await Task.Delay(TimeSpan.FromSeconds(5));
        await stop.CancelAsync();
        await senders;

        var before = Rate(posts, WarmUp.TotalSeconds, runStart);
        var during = Rate(posts, runStart, runEnd.Value);
        var runSeconds = runEnd.Value - runStart;
        Console.WriteLine($"ingest before the run : {before:F0} records/s ({WarmUp.TotalSeconds:F0} s to {runStart:F0} s after start)");
        Console.WriteLine($"ingest during the run : {during:F0} records/s ({runSeconds:F0} s)");
        Console.WriteLine($"ratio during / before : {during / before:F2} (target >= 0.80)");
        Console.WriteLine($"retention             : {expired - Instances} records deleted in {runSeconds:F1} s ({(expired - Instances) / runSeconds:F0} records/s), database {seeded / 1_048_576} MB before, {await bytes() / 1_048_576} MB 5 s after");
    }

    /// <summary>Two senders posting batches of 500 new records until stopped; each answer is noted with when it came.</summary>
    private static Task Senders(HttpClient http, Stopwatch clock, ConcurrentQueue<(double, int)> posts, CancellationToken stop)
    {
        var gate = new Lock();
        var enumerator = Workload.Batches(int.MaxValue, 500, containers: 2_000, start: DateTimeOffset.UtcNow.AddHours(-1), step: TimeSpan.FromMilliseconds(1)).GetEnumerator();
        return Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                string body;
                lock (gate)
                {
                    enumerator.MoveNext();
                    body = enumerator.Current;
                }
                var accepted = await RunningConsole.PostContainerExitsAsync(http, body);
                posts.Enqueue((clock.Elapsed.TotalSeconds, accepted));
            }
        })));
    }

    private static double Rate(IEnumerable<(double At, int Accepted)> posts, double from, double to) =>
        posts.Where(p => p.At >= from && p.At < to).Sum(p => p.Accepted) / (to - from);

    /// <summary>A file created and migrated as the console creates it, filled through the console's own write path.</summary>
    private static async Task SeedSqliteAsync(string path, int expired)
    {
        var connectionString = $"Data Source={path}";
        await using (var services = new ServiceCollection().AddDbContextFactory<OpsDbContext>(o => o.UseSqlite(connectionString)).BuildServiceProvider())
            await services.MigrateDatabaseAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(connectionString));
        await SeedAsync(store, expired);
    }

    /// <summary>
    /// A database migrated as the console migrates it, filled through the console's own write path (which makes the old
    /// days' partitions); without waiting for each seed commit's WAL flush, which changes no row.
    /// </summary>
    private static async Task SeedPostgresAsync(string connectionString, int expired)
    {
        await PostgresIngestBenchmark.MigrateAsync(connectionString);
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c synchronous_commit=off" }.ConnectionString);
        using var store = new PostgresRecordStore(dataSource);
        await SeedAsync(store, expired);
        await using var analyze = dataSource.CreateCommand("VACUUM ANALYZE");
        await analyze.ExecuteNonQueryAsync();
    }

    /// <summary><paramref name="expired"/> exits 200 days old, 100 ms apart, cycling through <see cref="Instances"/> instances.</summary>
    private static async Task SeedAsync(IRecordStore store, int expired)
    {
        var oldest = DateTimeOffset.UtcNow.AddDays(-200);
        for (var first = 0; first < expired; first += SeedBatch)
        {
            var batch = Enumerable.Range(first, Math.Min(SeedBatch, expired - first)).Select(sequence =>
            {
                var at = oldest.AddMilliseconds(sequence * 100L);
                var instance = sequence % Instances;
                return new EventRecord
                {
                    Kind = "container", Source = "nomad", Format = "simple", Entry = "terminated",
                    InstanceKey = $"nomad/old/{instance}", InstanceName = $"old-{instance}", ExitCode = 1, Reason = "Error",
                    Message = "process exited", OccurredAt = at, ReceivedAt = at, LastSeenAt = at,
                    Category = "exit.app-error", Severity = "error", RuleId = "exit-1", Evidence = "exitCode=1", RulesetVersion = "seed", IsFailure = true,
                    DedupeKey = $"seed|{sequence}", RawJson = """{"exitCode":1}""",
                };
            }).ToList();
            await store.WriteAsync(batch, CancellationToken.None);
        }
    }
}
