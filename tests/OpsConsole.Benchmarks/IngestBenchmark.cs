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
        Console.WriteLine($"raw inserts, library defaults     : {plainRate:F0} records/s ({plain.RecordsPerSecond:F0} before, {plain2.RecordsPerSecond:F0} after)");
        Console.WriteLine($"raw inserts, the console's pragmas: {tunedRate:F0} records/s ({tuned.RecordsPerSecond:F0} before, {tuned2.RecordsPerSecond:F0} after)");
        Console.WriteLine($"HTTP ingest                       : {http.RecordsPerSecond:F0} records/s, {http.Records} records (parse + classify + commit, {Senders} concurrent senders)");
        Console.WriteLine($"ratio vs library defaults         : {http.RecordsPerSecond / plainRate:F2}");
        Console.WriteLine($"ratio vs the console's pragmas    : {http.RecordsPerSecond / tunedRate:F2}");
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    internal sealed record Rate(long Records, double RecordsPerSecond);

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
    /// The same rows the console stores, written with plain prepared inserts into the same tables: per record one
    /// insert into records and one into instance_states; one transaction per batch.
    /// </summary>
    /// <remarks>
    /// sameSettings false: Microsoft.Data.Sqlite as it comes (WAL from the migration, synchronous FULL, auto-checkpoint 1000);
    /// true: the console's own write-connection pragmas (synchronous NORMAL, checkpoints deferred).
    /// The <paramref name="warmUp"/> batches are inserted first, the same way, untimed.
    /// </remarks>
    internal static async Task<Rate> RawInsertRateAsync(string path, List<string> batches, bool sameSettings, List<string>? warmUp = null)
    {
        var connectionString = $"Data Source={path}";
        await MigrateAsync(connectionString);
        var factory = new SqliteConnectionFactory(connectionString);
        if (warmUp is not null) await InsertAsync(factory, connectionString, RawRows(warmUp), sameSettings);
        // Parsing is not timed: the baseline is the insert cost alone.
        var rows = RawRows(batches);

        var watch = Stopwatch.StartNew();
        var count = await InsertAsync(factory, connectionString, rows, sameSettings);
        return new Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    private static async Task<long> InsertAsync(SqliteConnectionFactory factory, string connectionString, List<List<EventRecord>> rows, bool sameSettings)
    {
        long count = 0;
        foreach (var batch in rows)
        {
            await using var connection = sameSettings ? await factory.OpenAsync(CancellationToken.None) : new SqliteConnection(connectionString);
            if (!sameSettings) await connection.OpenAsync();
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            // Prepared statements bound by position, as the console's own write path binds them; each row's values are
            // encoded here, inside the timed loop, as binding .NET strings would.
            using var insert = new RawStatement(connection, SqliteRecordStore.InsertSql);
            using var values = new EncodedRows(SqliteRecordStore.RecordColumnCount, 1);
            using var state = new RawStatement(connection, """
                INSERT OR REPLACE INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing,
                    LastMessage, LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 1, ?8, last_insert_rowid(), ?9, 1, ?9, ?9)
                """);
            foreach (var record in batch)
            {
                values.Clear();
                SqliteRecordStore.AddRecord(values, record);
                values.Bind(insert, 0);
                insert.Execute();
                state.Bind(1, record.InstanceKey);
                state.Bind(2, record.Kind);
                state.Bind(3, record.Source);
                state.Bind(4, record.InstanceName);
                state.Bind(5, record.Location);
                state.Bind(6, record.Category);
                state.Bind(7, record.Severity);
                state.Bind(8, record.Message);
                state.Bind(9, record.OccurredAt.ToUnixTimeMilliseconds());
                state.Execute();
                count++;
            }
            await transaction.CommitAsync();
        }
        return count;
    }

    private static async Task<Rate> HttpIngestRateAsync(string path, List<string> batches, List<string> warmUp)
    {
        await using var console = await RunningConsole.StartAsync(path);
        return await PostRateAsync(console.Http, batches, warmUp);
    }

    /// <summary>
    /// Posts every batch from <see cref="Senders"/> concurrent senders after a warm-up (<paramref name="warmUp"/>, posted
    /// the same way; by default 20 of the batches under other names); the accepted records per second.
    /// </summary>
    internal static async Task<Rate> PostRateAsync(HttpClient http, List<string> batches, List<string>? warmUp = null)
    {
        // Warm-up (JIT tiers, connection pool, page cache), not counted.
        await PostAllAsync(http, warmUp ?? batches.Take(20).Select((b, w) => b.Replace("svc-", $"warm{w}-", StringComparison.Ordinal)).ToList());

        var watch = Stopwatch.StartNew();
        var count = await PostAllAsync(http, batches);
        return new Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    private static async Task<long> PostAllAsync(HttpClient http, List<string> batches)
    {
        var next = -1;
        long count = 0;
        var senders = Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
                Interlocked.Add(ref count, await RunningConsole.PostContainerExitsAsync(http, batches[i]));
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
