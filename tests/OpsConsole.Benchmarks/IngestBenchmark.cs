using System.Diagnostics;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Benchmarks;

/// <summary>
/// HTTP ingestion against a running console on a fresh SQLite file, next to plain prepared
/// Microsoft.Data.Sqlite inserts of the same rows into the same tables, in one run (this machine is noisy:
/// the ratio is the figure that means something). Both sides first write the same <see cref="WarmUpRecords"/>
/// untimed, so both time steady state on files holding the same rows.
/// </summary>
public static class IngestBenchmark
{
    private const int BatchSize = 500;
    /// <summary>Two senders, as two collectors (say a kubectl loop and a Docker forwarder) would post at once.</summary>
    private const int Senders = 2;

    /// <summary>
    /// Records each side writes first, untimed, under other container names and earlier times: a fresh console runs its
    /// first ~40 k records largely in tier-0 JIT code (CPU per record 150 µs there against 62-88 µs with quick JIT off),
    /// while the raw loop is a few small methods that reach their optimised tier within the first batches.
    /// </summary>
    internal const int WarmUpRecords = 40_000;

    public static async Task<int> RunAsync(int records)
    {
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var batches = Workload.Batches(records, BatchSize).ToList();
        var warmUp = WarmUpBatches();
        Console.WriteLine($"workload: {records} container-exit items in {batches.Count} batches of {BatchSize}, " +
                          $"after {WarmUpRecords} untimed warm-up items on each side");

        var plain = await RawInsertRateAsync(Path.Combine(directory, "plain.db"), batches, sameSettings: false, warmUp);
        var tuned = await RawInsertRateAsync(Path.Combine(directory, "tuned.db"), batches, sameSettings: true, warmUp);
        var http = await HttpIngestRateAsync(Path.Combine(directory, "http.db"), batches, warmUp);
        var plain2 = await RawInsertRateAsync(Path.Combine(directory, "plain2.db"), batches, sameSettings: false, warmUp);
        var tuned2 = await RawInsertRateAsync(Path.Combine(directory, "tuned2.db"), batches, sameSettings: true, warmUp);

        var plainRate = (plain.RecordsPerSecond + plain2.RecordsPerSecond) / 2;
        var tunedRate = (tuned.RecordsPerSecond + tuned2.RecordsPerSecond) / 2;
        var tunedCpu = (tuned.CpuMicroseconds + tuned2.CpuMicroseconds) / 2;
        Console.WriteLine($"raw inserts, library defaults     : {plainRate:F0} records/s ({plain.RecordsPerSecond:F0} before, {plain2.RecordsPerSecond:F0} after)");
        Console.WriteLine($"raw inserts, the console's pragmas: {tunedRate:F0} records/s ({tuned.RecordsPerSecond:F0} before, {tuned2.RecordsPerSecond:F0} after), CPU {tunedCpu:F1} µs/record");
        Console.WriteLine($"HTTP ingest                       : {http.RecordsPerSecond:F0} records/s, {http.Records} records (parse + classify + commit, {Senders} concurrent senders)");
        Console.WriteLine($"  CPU per record                  : console {http.CpuMicroseconds:F1} µs ({http.CpuMicroseconds / tunedCpu:F2}× the raw inserts'), HTTP client {http.ClientCpuMicroseconds:F1} µs");
        Console.WriteLine($"  per request (Server-Timing)     : {http.Stages!.Describe(http.Records)}");
        Console.WriteLine($"  JIT during the timed posts      : {http.JitSeconds:F2} s of the console's CPU");
        Console.WriteLine($"  allocated per record            : {http.AllocatedBytes:F0} bytes by the console, GC pauses {http.GcPauseSeconds:F2} s");
        Console.WriteLine($"ratio vs library defaults         : {http.RecordsPerSecond / plainRate:F2}");
        Console.WriteLine($"ratio vs the console's pragmas    : {http.RecordsPerSecond / tunedRate:F2}");
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    /// <summary>Records written and their rate; for HTTP also where the console's time went (<see cref="ServerTimings"/>).</summary>
    internal sealed record Rate(long Records, double RecordsPerSecond, ServerTimings? Stages = null)
    {
        /// <summary>
        /// CPU time per record (µs): of this process for the raw inserts, of the console (and, apart, of this process
        /// as the HTTP client) for ingest. Unlike the rates it hardly moves with what else the machine runs.
        /// </summary>
        public double CpuMicroseconds { get; init; }

        public double ClientCpuMicroseconds { get; init; }

        /// <summary>The console's JIT compiling during the timed posts, in seconds (tier-up of hot methods still under way).</summary>
        public double JitSeconds { get; init; }

        /// <summary>Bytes the console allocated per record during the timed posts: what its garbage collector has to clear.</summary>
        public double AllocatedBytes { get; init; }

        /// <summary>The console's garbage-collection pauses during the timed posts, in seconds.</summary>
        public double GcPauseSeconds { get; init; }
    }

    /// <summary>The runtime's own meter (System.Runtime, dotnet.jit.compilation.time) as prometheus-net exports it.</summary>
    internal const string JitSecondsMetric = "system_runtime_dotnet_jit_compilation_time";

    private const string AllocatedMetric = "system_runtime_dotnet_gc_heap_total_allocated";
    private const string GcPauseMetric = "system_runtime_dotnet_gc_pause_time";

    private static TimeSpan OwnCpu() => Process.GetCurrentProcess().TotalProcessorTime;

    /// <summary>
    /// The Server-Timing entries of the timed requests summed per stage (body read to commit, as the console measured
    /// them), so a run says which part of a request grew or shrank, not only the rate.
    /// </summary>
    internal sealed class ServerTimings
    {
        private readonly Dictionary<string, double> _milliseconds = new(StringComparer.Ordinal);
        private int _requests;

        public void Add(string header)
        {
            lock (_milliseconds)
            {
                _requests++;
                foreach (var entry in header.Split(", "))
                {
                    var parts = entry.Split(";dur=");
                    if (parts.Length != 2) continue;
                    _milliseconds[parts[0]] = _milliseconds.GetValueOrDefault(parts[0])
                                              + double.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }

        /// <summary>Each stage's mean per request and per record, in the order the console reports them.</summary>
        public string Describe(long records) => string.Join(", ", _milliseconds.Select(s =>
            $"{s.Key} {s.Value / _requests:F1} ms ({1000 * s.Value / records:F1} µs/record)"));
    }

    /// <summary>The warm-up: the workload's shapes under other container names, a day before the timed records.</summary>
    internal static List<string> WarmUpBatches() => Workload
        .Batches(WarmUpRecords, BatchSize, start: DateTimeOffset.Parse("2025-12-31T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture))
        .Select(body => body.Replace("svc-", "warm-", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// The workload's records as the raw baselines insert them: parsed, with a fixed classification instead of the
    /// classifier's, so only the insert is timed.
    /// </summary>
    internal static List<List<EventRecord>> RawRows(List<string> batches) => batches.Select(body =>
    {
        var context = new ParseContext(PayloadFormats.Container, DateTimeOffset.UtcNow, _ => null);
        using var items = PayloadReader.Split(Encoding.UTF8.GetBytes(body), false, 10_000);
        PayloadFormats.Parse(PayloadFormats.Container, items, null, context);
        foreach (var record in context.Records) { record.Category = "exit.app-error"; record.Severity = "error"; record.RuleId = "exit-1"; record.Evidence = "exitCode=1"; record.RulesetVersion = "raw"; record.IsFailure = true; }
        return context.Records;
    }).ToList();

    /// <summary>
    /// The same rows the console stores, written with plain prepared statements into the same tables and with the same
    /// SQL as the console's write path: per record the records insert (with its dedupe-key conflict clause) and the
    /// instance-state insert or merge; per batch the category and failure-hour counter upserts; one transaction per
    /// batch on one connection whose statements are prepared once, as the console's writer keeps them.
    /// </summary>
    /// <remarks>
    /// sameSettings false: Microsoft.Data.Sqlite as it comes (WAL from the migration, synchronous FULL, auto-checkpoint 1000);
    /// true: the console's own write-connection pragmas (synchronous NORMAL, checkpoints deferred, the writer's page cache).
    /// The <paramref name="warmUp"/> batches are inserted first, the same way, untimed.
    /// </remarks>
    internal static async Task<Rate> RawInsertRateAsync(string path, List<string> batches, bool sameSettings, List<string>? warmUp = null)
    {
        var connectionString = $"Data Source={path}";
        await MigrateAsync(connectionString);
        var factory = new SqliteConnectionFactory(connectionString);
        await using var connection = sameSettings ? await factory.OpenAsync(CancellationToken.None) : new SqliteConnection(connectionString);
        if (!sameSettings) await connection.OpenAsync();
        else
        {
            // The writer's own page cache too (Database:WriterCacheSizeMb), as the console's writer connection sets it:
            // with the readers' 32 MB only, the baseline read its index pages back from the file once the machine's
            // page cache was reclaimed, and ran at 14 k records/s against 23 k on the same machine an hour before.
            await using var cache = connection.CreateCommand();
            cache.CommandText = factory.WriterCachePragma;
            await cache.ExecuteNonQueryAsync();
        }
        using var writer = new RawWriter(connection);
        if (warmUp is not null) writer.Insert(RawRows(warmUp));
        // Parsing is not timed: the baseline is the write cost alone.
        var rows = RawRows(batches);

        var cpu = OwnCpu();
        var watch = Stopwatch.StartNew();
        var count = writer.Insert(rows);
        return new Rate(count, count / watch.Elapsed.TotalSeconds) { CpuMicroseconds = (OwnCpu() - cpu).TotalMicroseconds / count };
    }

    /// <summary>The console's write statements, without its decisions: every record's instance row is merged as current.</summary>
    private sealed class RawWriter(SqliteConnection connection) : IDisposable
    {
        private readonly RawStatement _insert = new(connection, SqliteRecordStore.InsertSql + " ON CONFLICT (DedupeKey) DO NOTHING");
        private readonly RawStatement _stateInsert = new(connection, InstanceStates.InsertSql);
        private readonly RawStatement _stateMerge = new(connection, InstanceStates.MergeSql);
        private readonly RawStatement _categoryCount = new(connection, SqliteRecordStore.CategoryCountSql);
        private readonly RawStatement _failureHour = new(connection, SqliteRecordStore.FailureHourSql);
        private readonly HashSet<string> _instances = new(StringComparer.Ordinal);

        public long Insert(List<List<EventRecord>> rows)
        {
            long count = 0;
            // Each row's values are encoded inside the timed loop, as binding .NET strings would.
            using var values = new EncodedRows(SqliteRecordStore.RecordColumnCount, 1);
            foreach (var batch in rows)
            {
                using var transaction = connection.BeginTransaction();
                var counts = new CounterChanges();
                foreach (var record in batch)
                {
                    values.Clear();
                    SqliteRecordStore.AddRecord(values, record);
                    values.Bind(_insert, 0);
                    _insert.Execute();
                    var id = SQLitePCL.raw.sqlite3_last_insert_rowid(connection.Handle);
                    var known = !_instances.Add(record.InstanceKey);
                    var state = known ? _stateMerge : _stateInsert;
                    var at = record.OccurredAt.ToUnixTimeMilliseconds();
                    state.Bind(1, record.InstanceKey);
                    state.Bind(2, record.Kind);
                    state.Bind(3, record.Source);
                    state.Bind(4, record.InstanceName);
                    state.Bind(5, record.Location);
                    state.Bind(6, record.Category);
                    state.Bind(7, record.Severity);
                    state.Bind(8, record.IsFailure);
                    state.Bind(9, record.Message);
                    state.Bind(10, id);
                    state.Bind(11, at);
                    state.Bind(12, record.Identity);
                    state.Bind(13, 1);
                    state.Bind(14, at);
                    state.Bind(15, at);
                    if (known) state.Bind(16, true);
                    state.Execute();
                    counts.Add(record.Category, record.IsFailure, record.ReceivedAt, 1);
                    count++;
                }
                SqliteRecordStore.WriteCounts(_categoryCount, _failureHour, counts);
                transaction.Commit();
            }
            return count;
        }

        public void Dispose()
        {
            _insert.Dispose();
            _stateInsert.Dispose();
            _stateMerge.Dispose();
            _categoryCount.Dispose();
            _failureHour.Dispose();
        }
    }

    private static async Task<Rate> HttpIngestRateAsync(string path, List<string> batches, List<string> warmUp)
    {
        await using var console = await RunningConsole.StartAsync(path);
        // process_cpu_seconds_total is prometheus-net's, of the console's process: read just before and after the timed posts.
        double consoleCpu = 0, jit = 0, allocated = 0, paused = 0;
        var client = TimeSpan.Zero;
        var rate = await PostRateAsync(console.Http, batches, warmUp, settle: console, pastFirstPeriodicRuns: true, timing: async started =>
        {
            if (started)
            {
                consoleCpu = await console.MetricAsync("process_cpu_seconds_total");
                jit = await console.MetricAsync(JitSecondsMetric);
                allocated = await console.MetricAsync(AllocatedMetric);
                paused = await console.MetricAsync(GcPauseMetric);
                client = OwnCpu();
                return;
            }
            consoleCpu = await console.MetricAsync("process_cpu_seconds_total") - consoleCpu;
            jit = await console.MetricAsync(JitSecondsMetric) - jit;
            allocated = await console.MetricAsync(AllocatedMetric) - allocated;
            paused = await console.MetricAsync(GcPauseMetric) - paused;
            client = OwnCpu() - client;
        });
        return rate with { CpuMicroseconds = consoleCpu * 1e6 / rate.Records, ClientCpuMicroseconds = client.TotalMicroseconds / rate.Records, JitSeconds = jit,
            AllocatedBytes = allocated / rate.Records, GcPauseSeconds = paused };
    }

    private const int MaxSettlePasses = 12;

    /// <summary>
    /// The console's periodic jobs first run this long after it starts (SourceActivity's save, the silence detector and the
    /// reclassifier's check, all every 30 s): each first run compiles its EF Core path (SourceActivity's first SaveChanges
    /// alone took ~0.7 s of JIT). With the warm-up settled before then, whether those first runs fell inside the timed
    /// posts depended on how fast the machine was: on a quiet one they came after, under load inside, and the console's CPU
    /// per record read 66 µs in a run without them against 91-116 µs in runs with them (2.4-2.9 s of JIT in the timed posts).
    /// </summary>
    internal static readonly TimeSpan FirstPeriodicRuns = TimeSpan.FromTicks(Math.Max(
        OpsConsole.Features.SourceHealth.SourceActivity.SaveInterval.Ticks,
        new OpsConsole.Features.Classification.ClassificationOptions().DetectorInterval.Ticks)) + TimeSpan.FromSeconds(5);

    /// <summary>
    /// Posts the (already stored) warm-up batches again until a pass of them keeps the console's JIT busy for less than
    /// <see cref="JitSettling.SettledShare"/> of the pass: the timed posts then measure ingest, not tier-up. 40 k records are
    /// only 80 requests, so the methods each request runs once (Kestrel, routing, auth, the request's own code) had
    /// just reached their tier-up count, and their recompiling took 1.2-1.7 s of the console's CPU inside a 4 s timed
    /// window. Every record of a repeated pass is a duplicate, so the store the timed posts find has the same rows as the
    /// raw side's after its warm-up. With <paramref name="pastFirstPeriodicRuns"/>, also until the console has run past
    /// <see cref="FirstPeriodicRuns"/> (those passes settle the JIT the first runs caused). Says how many passes it took
    /// and what the last one compiled.
    /// </summary>
    internal static async Task<string> SettleJitAsync(RunningConsole console, List<string> warmUp, bool pastFirstPeriodicRuns = false)
    {
        double compiled = 0, seconds = 0;
        var pass = 0;
        while (true)
        {
            pass++;
            var before = await console.MetricAsync(JitSecondsMetric);
            var watch = Stopwatch.StartNew();
            await PostAllAsync(console.Http, warmUp);
            (compiled, seconds) = (await console.MetricAsync(JitSecondsMetric) - before, watch.Elapsed.TotalSeconds);
            if (pastFirstPeriodicRuns && console.Uptime < FirstPeriodicRuns) continue;
            if (compiled < JitSettling.SettledShare * seconds || pass >= MaxSettlePasses) break;
        }
        return $"{pass} repeated pass(es) of the warm-up, the last compiling {compiled:F2} s in {seconds:F1} s" +
               (pastFirstPeriodicRuns ? $", the console up {console.Uptime.TotalSeconds:F0} s" : "");
    }

    /// <summary>
    /// Posts every batch from <see cref="Senders"/> concurrent senders after a warm-up (<paramref name="warmUp"/>, posted
    /// the same way; by default 20 of the batches under other names); the accepted records per second. Given the console
    /// (<paramref name="settle"/>), the warm-up is posted again until its JIT has settled (<see cref="SettleJitAsync"/>).
    /// </summary>
    internal static async Task<Rate> PostRateAsync(HttpClient http, List<string> batches, List<string>? warmUp = null, Func<bool, Task>? timing = null,
        RunningConsole? settle = null, bool pastFirstPeriodicRuns = false)
    {
        // Warm-up (JIT tiers, connection pool, page cache), not counted.
        warmUp ??= batches.Take(20).Select((b, w) => b.Replace("svc-", $"warm{w}-", StringComparison.Ordinal)).ToList();
        await PostAllAsync(http, warmUp);
        if (settle is not null) Console.WriteLine($"  console warm-up                 : {await SettleJitAsync(settle, warmUp, pastFirstPeriodicRuns)}");

        var stages = new ServerTimings();
        if (timing is not null) await timing(true);
        var watch = Stopwatch.StartNew();
        var count = await PostAllAsync(http, batches, stages);
        var elapsed = watch.Elapsed;
        if (timing is not null) await timing(false);
        return new Rate(count, count / elapsed.TotalSeconds, stages);
    }

    private static async Task<long> PostAllAsync(HttpClient http, List<string> batches, ServerTimings? stages = null)
    {
        var next = -1;
        long count = 0;
        var senders = Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
                Interlocked.Add(ref count, await RunningConsole.PostContainerExitsAsync(http, batches[i], stages is null ? null : stages.Add));
        });
        await Task.WhenAll(senders);
        return count;
    }

    internal static async Task MigrateAsync(string connectionString)
    {
        await using var db = new OpsDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseSqlite(connectionString).Options);
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
    }
}
