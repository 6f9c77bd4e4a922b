using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.SourceHealth;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Sources.Docker;

namespace OpsConsole.Benchmarks;

/// <summary>
/// One store of N records (built once through the console's own write path — parser, shipped rules, the SQLite
/// record store — with arrivals spread over the last 30 days, then reused), and in one run: the start-up priming
/// reads, every read API through HTTP (p50/p95), ingestion at that size against a fresh file, a reclassification
/// of every record with ingestion going on, and the WAL after the console goes idle. Printed as one table.
/// With <c>--reads</c>, only the priming reads and the read APIs (a read path checked in minutes, not the half hour
/// the ingest and reclassification runs take).
/// </summary>
public static class RecordsBenchmark
{
    private const int BatchSize = 500;
    private const int RecordsPerInstance = 5;
    private static readonly TimeSpan History = TimeSpan.FromDays(30);

    internal sealed record Row(string What, string Figure, string Target);

    /// <summary>
    /// The whole table; with <paramref name="readsOnly"/> only the priming and read-API rows; with
    /// <paramref name="reclassificationOnly"/> only the last row (on a store built before): the row that takes longest to
    /// settle, measured again without minutes of other rows before it. With <paramref name="cold"/>, the OS page cache is
    /// emptied before the console on the big store starts (start-up, reads and ingest then read the file from the disk).
    /// </summary>
    public static async Task<int> RunAsync(int records, bool readsOnly = false, bool reclassificationOnly = false, bool ingestOnly = false, bool cold = false)
    {
        var root = Root();
        var path = StorePath(records);
        var table = new List<Row>();

        if (reclassificationOnly) return await ReclassificationOnlyAsync(path, records, root);
        if (ingestOnly) return await IngestOnlyAsync(path, records, root, cold);
        table.Add(await BuiltOrReusedAsync(path, records));
        SqliteConnection.ClearAllPools();

        using (var store = new SqliteRecordStore(new SqliteConnectionFactory($"Data Source={path}")))
        {
            table.Add(await QuietStore.ReclassifiedAsync(() => Context(path), store));
            table.AddRange(await PrimingAsync(() => Context(path), store));
        }
        SqliteConnection.ClearAllPools();

        var scratch = Path.Combine(root, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(scratch);
        try
        {
            if (cold) table.Add(OsPageCache.Drop());
            var startUp = Stopwatch.StartNew();
            await using (var console = await RunningConsole.StartAsync(path, WriterCache(records)))
            {
                var healthy = startUp.Elapsed;
                // The reads first: by then the console's start-up line has been read from its output.
                var reads = await ReadApisAsync(console.Http, () => Context(path));
                table.AddRange(StartUp(healthy, console));
                table.AddRange(reads);
                if (!readsOnly)
                {
                    table.Add(await OnCurrentRulesAsync(console, path));
                    table.AddRange(await IngestAsync(console, Path.Combine(scratch, "fresh.db"), records));
                    table.Add(await WalAfterIdleAsync(console, path));
                }
            }
            if (!readsOnly) table.Add(await ReclassificationAsync(path, scratch));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(scratch, recursive: true);
        }

        Print(table);
        return 0;
    }

    /// <summary>$TMPDIR/opsconsole-bench: the stores the benchmarks build once and reuse.</summary>
    internal static string Root() => Directory.CreateDirectory(Path.Combine(Path.GetTempPath(), "opsconsole-bench")).FullName;

    internal static string StorePath(int records) => Path.Combine(Root(), $"records-{records}.db");

    /// <summary>The SQLite store of <paramref name="records"/> records: built when missing or incomplete, else migrated and reused.</summary>
    internal static async Task<Row> BuiltOrReusedAsync(string path, int records)
    {
        if (!await IsCompleteAsync(path, records)) return await BuildAsync(path, records);
        // A file built by an older version takes this version's migrations first, as the console would at start-up.
        await IngestBenchmark.MigrateAsync($"Data Source={path}");
        return new Row("store", $"reused {path} ({new FileInfo(path).Length / 1_048_576} MB)", "");
    }

    /// <summary>
    /// Database:WriterCacheSizeMb as it was sized when the warm-up read the whole dedupe-key index (about 45 MB per
    /// million records; 55 MB at 1.25 M) and some room for the sending instances' pages, never below the default: kept,
    /// so the ingest rows compare with the figures before; the warm-up now fills it with the newest senders' pages.
    /// </summary>
    internal static Dictionary<string, string> WriterCache(int records) => new()
    {
        ["Database__WriterCacheSizeMb"] = Math.Max(DatabaseOptions.DefaultWriterCacheSizeMb, records / 1_000_000 * 55 + 64).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>From starting the console's process to its first healthy /healthz answer, and the steps the console logged.</summary>
    internal static IEnumerable<Row> StartUp(TimeSpan elapsed, RunningConsole console) =>
    [
        new("start-up: console process to /healthz ready", $"{elapsed.TotalMilliseconds:F0} ms", "≤ 5 s at 10 M"),
        new("start-up steps (the console's log)", console.StartUpSteps ?? "not logged before /healthz answered", ""),
    ];

    private static Task<int> ReclassificationOnlyAsync(string path, int records, string root) =>
        OnBuiltStoreAsync(path, records, root, async scratch => [await ReclassificationAsync(path, scratch)]);

    private static Task<int> IngestOnlyAsync(string path, int records, string root, bool cold) =>
        OnBuiltStoreAsync(path, records, root, async scratch =>
        {
            var table = new List<Row>();
            if (cold) table.Add(OsPageCache.Drop());
            await using var console = await RunningConsole.StartAsync(path, WriterCache(records));
            table.Add(await OnCurrentRulesAsync(console, path));
            table.AddRange(await IngestAsync(console, Path.Combine(scratch, "fresh.db"), records));
            // While the console still runs: its checkpointer is what cuts the WAL once nothing writes.
            table.Add(await WalAfterIdleAsync(console, path));
            return table;
        });

    /// <summary>Some rows alone on a store built before (migrated first), with a scratch folder that is removed after.</summary>
    private static async Task<int> OnBuiltStoreAsync(string path, int records, string root, Func<string, Task<List<Row>>> rows)
    {
        if (!await IsCompleteAsync(path, records))
        {
            Console.Error.WriteLine($"{path} is missing or incomplete: run 'records {records}' once to build it");
            return 1;
        }
        await IngestBenchmark.MigrateAsync($"Data Source={path}");
        SqliteConnection.ClearAllPools();
        var scratch = Path.Combine(root, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(scratch);
        try
        {
            Print(await rows(scratch));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(scratch, recursive: true);
        }
        return 0;
    }

    internal static void Print(List<Row> table)
    {
        var width = table.Max(r => r.What.Length);
        var figureWidth = table.Max(r => r.Figure.Length);
        Console.WriteLine();
        Console.WriteLine($"{"what".PadRight(width)} | {"figure".PadRight(figureWidth)} | target");
        Console.WriteLine($"{new string('-', width)}-|-{new string('-', figureWidth)}-|-------");
        foreach (var row in table) Console.WriteLine($"{row.What.PadRight(width)} | {row.Figure.PadRight(figureWidth)} | {row.Target}");
    }

    private static async Task<bool> IsCompleteAsync(string path, int records)
    {
        if (!File.Exists(path)) return false;
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT MAX(Id) FROM records";
        return await command.ExecuteScalarAsync() is long max && max >= records;
    }

    /// <summary>Parses, classifies with the shipped rules and writes through <see cref="SqliteRecordStore"/>, as ingestion does.</summary>
    private static async Task<Row> BuildAsync(string path, int records)
    {
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }) File.Delete(file);
        var connectionString = $"Data Source={path}";
        await IngestBenchmark.MigrateAsync(connectionString);
        var rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        // A multiple of three: each container name then keeps one source shape, RecordsPerInstance records per instance.
        var containers = records / RecordsPerInstance / 3 * 3;
        var now = DateTimeOffset.UtcNow;
        var start = now - History;
        var step = History / records;
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(connectionString, cacheSizeMb: 256));
        var watch = Stopwatch.StartNew();
        var sequence = 0;
        foreach (var body in Workload.Batches(records, BatchSize, containers, start, step))
        {
            var context = new ParseContext(PayloadFormats.Container, start + step * (sequence + BatchSize), _ => null);
            using (var items = PayloadReader.Split(Encoding.UTF8.GetBytes(body), false, 10_000))
                PayloadFormats.Parse(PayloadFormats.Container, items, null, context);
            foreach (var record in context.Records) IncidentClassifier.Apply(rules, record);
            await store.WriteAsync(context.Records, CancellationToken.None);
            sequence += context.Records.Count;
            if (sequence % 100_000 == 0) Console.WriteLine($"built {sequence} records, {sequence / watch.Elapsed.TotalSeconds:F0}/s");
        }
        await using var db = Context(path);
        var instances = await db.InstanceStates.CountAsync();
        var failing = await db.InstanceStates.CountAsync(s => s.IsFailing);
        return new Row("store", $"built {sequence} records in {watch.Elapsed.TotalSeconds:F0} s ({sequence / watch.Elapsed.TotalSeconds:F0}/s through SqliteRecordStore); " +
                                $"{instances} instances, {failing} failing; {new FileInfo(path).Length / 1_048_576} MB", "");
    }

    /// <summary>The reads each start-up step makes, timed on their own (fresh connections, the OS cache as it is).</summary>
    internal static async Task<List<Row>> PrimingAsync(Func<OpsDbContext> context, IRecordStore store)
    {
        var now = DateTimeOffset.UtcNow;
        var rows = new List<Row>();
        // EF Core builds its model and compiles its query pipeline once per process: not a start-up read, so not in the
        // first timed row (a query on a table no priming reads).
        await using (var warm = context()) _ = await warm.CategoryCounts.AsNoTracking().Take(1).ToListAsync();
        var total = Stopwatch.StartNew();
        rows.Add(await TimedAsync("priming: SourceActivity (saved senders with their last hour)", async () =>
        {
            await using var db = context();
            return (await SourceActivity.PrimeQuery(db).ToListAsync()).Count;
        }));
        rows.Add(await TimedAsync("priming: FailureTrend (24 h)", async () => (await store.FailuresPerHourAsync(now.AddHours(-24), default)).Count));
        rows.Add(await TimedAsync("priming: CrashLoopDetector (10 min)", async () =>
        {
            await using var db = context();
            return await CrashLoopDetector.PrimeQuery(db, now.AddMinutes(-10)).CountAsync();
        }));
        rows.Add(await TimedAsync("priming: Docker OOM correlation (1 h)", async () =>
        {
            await using var db = context();
            return await OomCorrelation.PrimeQuery(db, now.AddHours(-1)).CountAsync();
        }));
        rows.Add(await TimedAsync("priming: reclassifier pending check", async () =>
        {
            await using var db = context();
            var versions = 0;
            for (var v = await Reclassifier.NextVersionQuery(db, null).FirstOrDefaultAsync(); v is not null; v = await Reclassifier.NextVersionQuery(db, v).FirstOrDefaultAsync())
                versions++;
            return versions;
        }));
        rows.Add(new Row("priming: all of the above", $"{total.Elapsed.TotalMilliseconds:F0} ms", "≤ 1 s at 10 M"));
        return rows;
    }

    private static async Task<Row> TimedAsync(string what, Func<Task<int>> read)
    {
        var watch = Stopwatch.StartNew();
        var rows = await read();
        return new Row(what, $"{watch.Elapsed.TotalMilliseconds:F0} ms ({rows} rows)", "");
    }

    internal static async Task<List<Row>> ReadApisAsync(HttpClient http, Func<OpsDbContext> context)
    {
        string busiest;
        long someId;
        await using (var db = context())
        {
            busiest = await db.InstanceStates.OrderByDescending(s => s.FailureCount).Select(s => s.InstanceKey).FirstAsync();
            someId = await db.Records.OrderByDescending(r => r.Id).Select(r => r.Id).FirstAsync() / 2;
        }
        var now = DateTimeOffset.UtcNow;
        string Time(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", CultureInfo.InvariantCulture));
        var key = Uri.EscapeDataString(busiest);
        (string Name, string Url)[] apis =
        [
            ("GET /instances/failing (newest 50)", "/api/v1/instances/failing"),
            ("GET /instances/failing?family=exit", "/api/v1/instances/failing?family=exit"),
            ("GET /instances/failing?sort=failures", "/api/v1/instances/failing?sort=failures"),
            ("GET /categories", "/api/v1/categories"),
            ("GET /records (newest 100)", "/api/v1/records"),
            ("GET /records?category&since (empty range)", $"/api/v1/records?category=exit.oom&since={Time(now)}"),
            ("GET /records?category&since (last hour)", $"/api/v1/records?category=exit.app-error&since={Time(now.AddHours(-1))}"),
            ("GET /records?category&since (30 days)", $"/api/v1/records?category=exit.app-error&since={Time(now.AddDays(-31))}"),
            ("GET /records?instance", $"/api/v1/records?instance={key}"),
            ("GET /records/{id}", $"/api/v1/records/{someId}"),
            ("GET /instances/{key}/timeline", $"/api/v1/instances/{busiest}/timeline"),
        ];
        // The first requests of a fresh process run the read path as the JIT's quick first tier while the optimised
        // code is compiled beside them on the same two cores: shown on their own row, not mixed into the API figures.
        var rows = new List<Row> { Timings($"{apis[0].Name}, first 40 after start", await TimesAsync(http, apis[0].Url), "") };
        // Every API past the 30 calls after which a method is recompiled optimised, then a pause for those compilations.
        foreach (var (_, url) in apis)
            for (var i = 0; i < 60; i++) (await http.GetAsync(url)).EnsureSuccessStatusCode();
        await Task.Delay(TimeSpan.FromSeconds(2));
        // In rounds of one request per API, so a passing stall (a collection, a compilation, another process) is shared
        // by all of them instead of landing on whichever API was being timed.
        var times = apis.Select(_ => new List<double>()).ToList();
        for (var round = 0; round < 40; round++)
            for (var i = 0; i < apis.Length; i++)
                times[i].Add(await TimedGetAsync(http, apis[i].Url));
        rows.AddRange(apis.Select((api, i) => Timings(api.Name, times[i],
            api.Name.Contains("failing", StringComparison.Ordinal) && !api.Name.Contains("sort", StringComparison.Ordinal) ? "p95 ≤ 20 ms" : "p95 ≤ 50 ms")));
        return rows;
    }

    private static async Task<List<double>> TimesAsync(HttpClient http, string url)
    {
        var times = new List<double>();
        for (var i = 0; i < 40; i++) times.Add(await TimedGetAsync(http, url));
        return times;
    }

    private static async Task<double> TimedGetAsync(HttpClient http, string url)
    {
        var watch = Stopwatch.StartNew();
        (await http.GetAsync(url)).EnsureSuccessStatusCode();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static Row Timings(string what, List<double> times, string target) =>
        new(what, $"p50 {Percentile(times, 0.5):F1} ms, p95 {Percentile(times, 0.95):F1} ms", target);

    /// <summary>
    /// Waits until the console has no reclassification to do: a store left on another rule version (an earlier run
    /// stopped mid-way, or the shipped rules changed since it was built) is reclassified in the background at start-up,
    /// and an ingest rate measured beside that run measures the reclassification (at 10 M: 3.8 M records pending, the
    /// WAL never idle). Then waits for the WAL to be cut, so the ingest starts from an idle store.
    /// </summary>
    internal static async Task<Row> OnCurrentRulesAsync(RunningConsole console, string path)
    {
        var watch = Stopwatch.StartNew();
        long reclassified = 0;
        while (true)
        {
            using var progress = System.Text.Json.JsonDocument.Parse(await console.Http.GetStringAsync("/api/v1/reclassify"));
            var root = progress.RootElement;
            var state = root.GetProperty("state").GetString();
            var version = root.GetProperty("rulesetVersion").GetString();
            if (state == "failed") throw new InvalidOperationException($"the console's reclassification failed: {root.GetProperty("error").GetString()}");
            if (state == "running" && watch.Elapsed.Seconds % 30 == 0)
                Console.WriteLine($"waiting for the console to reclassify the store: {root.GetProperty("done").GetInt64()} of {root.GetProperty("pending").GetInt64()}");
            if (state is "running" or "done") reclassified = root.GetProperty(state == "done" ? "done" : "pending").GetInt64();
            // An empty version: the reclassifier has not looked at the store yet.
            if (state is "idle" or "done" && !string.IsNullOrEmpty(version))
            {
                var idle = await IdleWalAsync(path + "-wal", TimeSpan.FromMinutes(5));
                var before = reclassified == 0
                    ? "no record on another rule version"
                    : $"{reclassified} records on another rule version reclassified first ({watch.Elapsed.TotalSeconds:F0} s)";
                return new Row("store before ingest", $"rule set {version}: {before}; WAL {(idle ? "idle" : "still written after 5 min")}", "no reclassification during ingest");
            }
            await Task.Delay(1000);
        }
    }

    /// <summary>HTTP ingestion of the same new records into the big store and into a fresh file, in one run, with what each wrote and read per record.</summary>
    private static async Task<List<Row>> IngestAsync(RunningConsole big, string freshPath, int records)
    {
        var count = Math.Min(50_000, Math.Max(5_000, records / 20));
        // New facts (their own times) about instances the store already has, as a live fleet sends them.
        var batches = Workload.Batches(count, BatchSize, containers: 2_001, start: DateTimeOffset.UtcNow.AddMinutes(-30), step: TimeSpan.FromMilliseconds(10)).ToList();
        var warm = await WriterCacheWarmAsync(big);
        var (atSize, atSizeIo) = await RateWithIoAsync(big, batches);
        IngestBenchmark.Rate fresh;
        string freshIo;
        await using (var console = await RunningConsole.StartAsync(freshPath, WriterCache(records)))
        {
            await WriterCacheWarmAsync(console);
            (fresh, freshIo) = await RateWithIoAsync(console, batches);
        }
        return
        [
            new Row("writer cache warm-up after start-up (big store)", warm, "ingest below starts after it"),
            new Row($"ingest into the big store ({count} records)", $"{atSize.RecordsPerSecond:F0} records/s; {atSizeIo}", ""),
            new Row("ingest into a fresh file (same records)", $"{fresh.RecordsPerSecond:F0} records/s; {freshIo}", ""),
            new Row("ingest at size / fresh", $"{atSize.RecordsPerSecond / fresh.RecordsPerSecond:F2}", "≥ 0.7"),
        ];
    }

    /// <summary>
    /// Waits (up to 10 minutes) for the console's background warm-up of its writer cache, which it runs once after
    /// start-up: the ingest rows measure a console that has run a while, not one that reads every index page the first time.
    /// </summary>
    private static async Task<string> WriterCacheWarmAsync(RunningConsole console)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromMinutes(10))
        {
            if (await console.TryMetricAsync("opsconsole_store_writer_cache_warm_seconds") is { } seconds) return $"{seconds:F1} s (the console's metric)";
            await Task.Delay(500);
        }
        return "not finished after 10 min";
    }

    /// <summary>
    /// The ingest rate, what the console's process read and wrote meanwhile (its own files: the database, the WAL), and
    /// for how long ingest transactions and the checkpointer held the single writer and ingest waited for it.
    /// </summary>
    private static async Task<(IngestBenchmark.Rate, string)> RateWithIoAsync(RunningConsole console, List<string> batches)
    {
        var io = RunningConsole.Io.Zero;
        var writer = new Dictionary<string, double>();
        var rate = await IngestBenchmark.PostRateAsync(console.Http, batches, settle: console, timing: async started =>
        {
            var (nowIo, nowWriter) = (console.IoNow(), await WriterSecondsAsync(console.Http));
            if (started) (io, writer) = (nowIo, nowWriter);
            else (io, writer) = (nowIo - io, nowWriter.ToDictionary(w => w.Key, w => w.Value - writer.GetValueOrDefault(w.Key)));
        });
        var seconds = string.Join(", ", writer.Where(w => w.Value > 0.0005).Select(w => $"{w.Key} {w.Value:F1} s"));
        return (rate, $"{io.PerRecord(rate.Records)}; writer {seconds}");
    }

    /// <summary>Seconds the writer was held and waited for so far, by operation (the console's write-lock histograms).</summary>
    private static async Task<Dictionary<string, double>> WriterSecondsAsync(HttpClient http)
    {
        var lines = (await http.GetStringAsync("/metrics")).Split('\n');
        var figures = new Dictionary<string, double>();
        foreach (var (metric, name) in new[] { ("opsconsole_store_write_hold_seconds_sum", "held by"), ("opsconsole_store_write_wait_seconds_sum", "waited for by") })
            foreach (var (operation, value) in ByOperation(lines, metric))
                figures[$"{name} {operation}"] = value;
        return figures;
    }

    /// <summary>One write-lock series (e.g. <c>opsconsole_store_write_hold_seconds_count</c>) from /metrics lines, by its operation label.</summary>
    private static Dictionary<string, double> ByOperation(string[] lines, string metric)
    {
        var series = metric + "{operation=\"";
        return lines.Where(l => l.StartsWith(series, StringComparison.Ordinal))
            .ToDictionary(l => l[series.Length..l.IndexOf('"', series.Length)],
                l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The WAL once the console's own background work is idle: its checkpointer cuts the file to zero bytes after a second
    /// with nothing new. Waits up to a minute; when the file is still there, names which of the console's write
    /// transactions held the writer meanwhile (its write-lock metrics).
    /// </summary>
    private static async Task<Row> WalAfterIdleAsync(RunningConsole console, string path)
    {
        var writes = await WriteCountsAsync(console.Http);
        var watch = Stopwatch.StartNew();
        var idle = await IdleWalAsync(path + "-wal", TimeSpan.FromMinutes(1));
        var wal = new FileInfo(path + "-wal");
        var length = wal.Exists ? wal.Length : 0;
        var after = await WriteCountsAsync(console.Http);
        var writers = string.Join(", ", after.Where(w => w.Value > writes.GetValueOrDefault(w.Key)).Select(w => $"{w.Key} {w.Value - writes.GetValueOrDefault(w.Key):F0}"));
        var figure = idle
            ? $"{length / 1024.0 / 1024.0:F1} MB (cut {watch.Elapsed.TotalSeconds:F1} s after the last ingest)"
            : $"{length / 1024.0 / 1024.0:F1} MB after {watch.Elapsed.TotalSeconds:F0} s; write transactions meanwhile: {(writers.Length == 0 ? "none" : writers)}";
        return new Row("WAL after ingest, then idle", figure, "≤ 64 MB");
    }

    /// <summary>Polls until the WAL file is gone or empty (true), or <paramref name="limit"/> passes (false).</summary>
    private static async Task<bool> IdleWalAsync(string walPath, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var wal = new FileInfo(walPath);
            if (!wal.Exists || wal.Length == 0) return true;
            if (watch.Elapsed > limit) return false;
            await Task.Delay(250);
        }
    }

    /// <summary>Transactions that held the writer so far, by operation (ingest, reclassify, rebuild, retention, vacuum, checkpoint).</summary>
    private static async Task<Dictionary<string, double>> WriteCountsAsync(HttpClient http) =>
        ByOperation((await http.GetStringAsync("/metrics")).Split('\n'), "opsconsole_store_write_hold_seconds_count");

    /// <summary>
    /// On a copy of the store: a rule for exit code 139 is added and every record is reclassified (the rule-set version
    /// changes), while 50-record batches are posted back to back; the slowest of them is the figure.
    /// </summary>
    private static async Task<Row> ReclassificationAsync(string path, string scratch)
    {
        var copy = Path.Combine(scratch, "reclassify.db");
        await using (var source = new SqliteConnection($"Data Source={path}"))
        {
            await source.OpenAsync();
            await using var vacuum = source.CreateCommand();
            vacuum.CommandText = $"VACUUM INTO '{copy.Replace("'", "''", StringComparison.Ordinal)}'";
            await vacuum.ExecuteNonQueryAsync();
        }
        // The copy leaves gigabytes of dirty pages in the OS cache (13.6 GB at 10 M): written back while the row runs,
        // they stall the console's own commits (a 299 ms COMMIT 35 s in). The copy is this row's set-up, so it reaches
        // the disk before the console starts.
        await using (var written = new FileStream(copy, FileMode.Open, FileAccess.ReadWrite)) written.Flush(flushToDisk: true);
        // The extra rule changes the rule-set version: the console reclassifies every record from its start.
        var rulesPath = Path.Combine(scratch, "extra-rules.yaml");
        await File.WriteAllTextAsync(rulesPath, """
            rules:
              - id: bench-segfault-is-app-error
                category: exit.app-error
                severity: error
                when: { exitCode: [139] }
            """);
        // The console's own warnings name the runtime's pauses (collections, a starved thread pool) with their time of day.
        var pauses = new List<string>();
        await using var console = await RunningConsole.StartAsync(copy, new Dictionary<string, string> { ["Classification__ExtraRulesPath"] = rulesPath },
            line => { lock (pauses) if (line.Contains(" UTC", StringComparison.Ordinal)) pauses.Add(LogMessage(line)); });
        var run = Stopwatch.StartNew();
        var latencies = new List<double>();
        var startedAt = new List<double>();
        var clockAt = new List<DateTime>();
        var timings = new List<string>();
        var heap = new HeapSamples();
        var n = 0;
        string state;
        long done;
        do
        {
            var body = string.Join(",", Enumerable.Range(0, 50).Select(i =>
                $$"""{"source":"bench","instance":"live-{{n}}-{{i}}","exitCode":1,"reason":"Error","finishedAt":"{{DateTimeOffset.UtcNow:O}}"}"""));
            n++;
            startedAt.Add(run.Elapsed.TotalSeconds);
            clockAt.Add(DateTime.UtcNow);
            var watch = Stopwatch.StartNew();
            var timing = "";
            await RunningConsole.PostContainerExitsAsync(console.Http, $"[{body}]", t => timing = t);
            timings.Add(timing);
            latencies.Add(watch.Elapsed.TotalMilliseconds);
            using var progress = System.Text.Json.JsonDocument.Parse(await console.Http.GetStringAsync("/api/v1/reclassify"));
            state = progress.RootElement.GetProperty("state").GetString()!;
            done = progress.RootElement.GetProperty("done").GetInt64();
            await heap.SampleAsync(console, run.Elapsed);
        // The first request of a fresh process pays for JIT compilation of the ingest path; it is shown on its own.
        } while (!(state == "done" && latencies.Count > 1) && run.Elapsed < ReclassificationCap && (state == "running" || run.Elapsed < TimeSpan.FromSeconds(60)));

        // Unfinished (a loaded machine gives the run's slices less time): what the ingest requests waited so far still counts.
        var warm = latencies.Skip(1).DefaultIfEmpty(0).ToList();
        var ending = state == "done" ? $"{done} records in {run.Elapsed.TotalSeconds:F0} s" : $"ended '{state}' after {run.Elapsed.TotalSeconds:F0} s ({done} records done)";
        var slowest = Enumerable.Range(1, latencies.Count - 1).OrderByDescending(i => latencies[i]).Take(3)
            .Select(i => $"{startedAt[i]:F1} s = {clockAt[i]:HH:mm:ss.fff} UTC ({latencies[i]:F0} ms: {timings[i]})");
        return new Row("reclassification with ingest going on",
            $"{ending}; {latencies.Count} ingest requests: first (cold) {latencies[0]:F0} ms, then slowest {warm.Max():F0} ms, p95 {Percentile(warm, 0.95):F0} ms; " +
            await SlowWritesAsync(console.Http) + $"; {heap}; slowest at " + string.Join(", ", slowest) + $"; cold: {timings[0]}" +
            $"; runtime pauses ≥ 50 ms: {LongPauses(pauses)}", "slowest ≤ 200 ms");
    }

    /// <summary>
    /// How long the reclassification row lets the run go on: at 10 M records on a loaded machine 30 min did not finish it.
    /// <c>--minutes N</c> sets a shorter cap (the slowest ingest requests so far are the figure either way).
    /// </summary>
    internal static TimeSpan ReclassificationCap { get; set; } = TimeSpan.FromMinutes(45);

    /// <summary>
    /// The console's managed heap during the run, sampled every few seconds from its /metrics (the GC's total memory
    /// and the working set): whether what the run or the ingest keeps alive grows with it.
    /// </summary>
    private sealed class HeapSamples
    {
        private static readonly TimeSpan Every = TimeSpan.FromSeconds(10);
        private readonly List<(double Seconds, double Heap, double WorkingSet)> _samples = [];
        private TimeSpan _last = -Every;

        public async Task SampleAsync(RunningConsole console, TimeSpan elapsed)
        {
            if (elapsed - _last < Every) return;
            _last = elapsed;
            _samples.Add((elapsed.TotalSeconds, await console.MetricAsync("dotnet_total_memory_bytes"), await console.MetricAsync("process_working_set_bytes")));
        }

        public override string ToString()
        {
            if (_samples.Count == 0) return "managed heap not sampled";
            static string Mb(double bytes) => $"{bytes / 1_048_576:F0}";
            var third = _samples.Count / 3;
            return $"managed heap MB (GC total memory) first {Mb(_samples[0].Heap)}, median {Mb(_samples.Select(s => s.Heap).Order().ElementAt(_samples.Count / 2))}, " +
                   $"max {Mb(_samples.Max(s => s.Heap))}, last {Mb(_samples[^1].Heap)}, by thirds of the run {string.Join("/", Enumerable.Range(0, 3).Select(t => Mb(_samples.Skip(t * third).Take(Math.Max(third, 1)).Max(s => s.Heap))))} " +
                   $"(max of each); working set max {Mb(_samples.Max(s => s.WorkingSet))} MB";
        }
    }

    /// <summary>The runtime pauses the console logged: how many, and those of 200 ms or more in full (at 10 M the ones of 50 ms or more were hundreds).</summary>
    private static string LongPauses(List<string> lines)
    {
        lock (lines)
        {
            if (lines.Count == 0) return "none";
            var paused = lines.Where(l => l.Contains("paused every thread", StringComparison.Ordinal)).ToList();
            var longest = paused.Where(l => PauseMilliseconds(l) >= 200).ToList();
            var other = lines.Where(l => !l.Contains("paused every thread", StringComparison.Ordinal)).ToList();
            return $"{paused.Count} collections, {longest.Count} of them ≥ 200 ms" + (longest.Count == 0 ? "" : $": {string.Join(" | ", longest)}") +
                   (other.Count == 0 ? "" : $"; other: {string.Join(" | ", other)}");
        }
    }

    private static double PauseMilliseconds(string line)
    {
        var match = System.Text.RegularExpressions.Regex.Match(line, @"paused every thread for (\d+) ms");
        return match.Success ? double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>The message of one of the console's JSON log lines (the line itself when it is not one).</summary>
    internal static string LogMessage(string line)
    {
        try
        {
            using var entry = System.Text.Json.JsonDocument.Parse(line);
            return entry.RootElement.TryGetProperty("Message", out var message) ? message.GetString() ?? line : line;
        }
        catch (System.Text.Json.JsonException)
        {
            return line.Trim();
        }
    }

    /// <summary>From the console's write-lock histograms: how many transactions of each kind held the writer, or waited for it, over 100 ms.</summary>
    private static async Task<string> SlowWritesAsync(HttpClient http)
    {
        var lines = (await http.GetStringAsync("/metrics")).Split('\n');
        double Value(string series) => lines.Where(l => l.StartsWith(series + " ", StringComparison.Ordinal))
            .Select(l => double.Parse(l[(series.Length + 1)..], CultureInfo.InvariantCulture)).FirstOrDefault();
        string Over(string metric, string operation)
        {
            var all = Value($"opsconsole_store_write_{metric}_seconds_count{{operation=\"{operation}\"}}");
            var within = Value($"opsconsole_store_write_{metric}_seconds_bucket{{operation=\"{operation}\",le=\"0.1\"}}");
            return $"{operation} {all - within:F0}/{all:F0}";
        }
        string Checkpoints(string trigger)
        {
            var all = Value($"opsconsole_store_checkpoint_seconds_count{{trigger=\"{trigger}\"}}");
            var within = Value($"opsconsole_store_checkpoint_seconds_bucket{{trigger=\"{trigger}\",le=\"0.1\"}}");
            var seconds = Value($"opsconsole_store_checkpoint_seconds_sum{{trigger=\"{trigger}\"}}");
            return $"{trigger} {all - within:F0}/{all:F0} ({seconds:F1} s)";
        }
        string GcPauses(string generation)
        {
            var all = Value($"opsconsole_gc_pause_seconds_count{{generation=\"{generation}\"}}");
            var within = Value($"opsconsole_gc_pause_seconds_bucket{{generation=\"{generation}\",le=\"0.1\"}}");
            var seconds = Value($"opsconsole_gc_pause_seconds_sum{{generation=\"{generation}\"}}");
            return $"gen{generation} {all - within:F0}/{all:F0} ({seconds:F1} s)";
        }
        // The server's own time for a request (parse to commit), against what the client saw.
        var requests = Value("opsconsole_ingest_batch_duration_seconds_count{kind=\"container\"}");
        var pipelineFast = Value("opsconsole_ingest_batch_duration_seconds_bucket{kind=\"container\",le=\"0.128\"}");
        return $"writer held > 100 ms: {Over("hold", "ingest")}, {Over("hold", "reclassify")}, {Over("hold", "rebuild")}, {Over("hold", "checkpoint")}, {Over("hold", "checkpoint-past-limit")}, {Over("hold", "warm")}, {Over("hold", "sources")}, {Over("hold", "ef")}; " +
               $"ingest waited > 100 ms: {Over("wait", "ingest")}; commit > 100 ms: {Over("commit", "ingest")}, {Over("commit", "reclassify")}, {Over("commit", "rebuild")}; " +
               $"ingest pipeline > 128 ms: {requests - pipelineFast:F0}/{requests:F0}; checkpoints > 100 ms: {Checkpoints("background")}, " +
               $"{Checkpoints("truncate")}, {Checkpoints("between-slices")}; gen2 GCs {Value("dotnet_collection_count_total{generation=\"2\"}"):F0}; " +
               $"GC pauses > 100 ms: {GcPauses("0")}, {GcPauses("1")}, {GcPauses("2")}; " +
               $"thread-pool starvation {Value("opsconsole_threadpool_starvation_total"):F0}; " +
               $"console CPU {Value("process_cpu_seconds_total"):F0} s";
    }

    private static double Percentile(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
    }

    private static OpsDbContext Context(string path) =>
        new(new DbContextOptionsBuilder<OpsDbContext>().UseSqlite($"Data Source={path}").Options);
}
