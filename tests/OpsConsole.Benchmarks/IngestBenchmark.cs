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
/// the ratio is the figure that means something).
/// </summary>
public static class IngestBenchmark
{
    private const int BatchSize = 500;
    /// <summary>Two senders, as two collectors (say a kubectl loop and a Docker forwarder) would post at once.</summary>
    private const int Senders = 2;

    public static async Task<int> RunAsync(int records)
    {
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var batches = Workload.Batches(records, BatchSize).ToList();
        Console.WriteLine($"workload: {records} container-exit items in {batches.Count} batches of {BatchSize}");

        var plain = await RawInsertRateAsync(Path.Combine(directory, "plain.db"), batches, sameSettings: false);
        var tuned = await RawInsertRateAsync(Path.Combine(directory, "tuned.db"), batches, sameSettings: true);
        var http = await HttpIngestRateAsync(Path.Combine(directory, "http.db"), batches);
        var plain2 = await RawInsertRateAsync(Path.Combine(directory, "plain2.db"), batches, sameSettings: false);
        var tuned2 = await RawInsertRateAsync(Path.Combine(directory, "tuned2.db"), batches, sameSettings: true);

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
    /// </remarks>
    internal static async Task<Rate> RawInsertRateAsync(string path, List<string> batches, bool sameSettings)
    {
        var connectionString = $"Data Source={path}";
        await MigrateAsync(connectionString);
        // Parsing is not timed: the baseline is the insert cost alone.
        var rows = RawRows(batches);

        var factory = new SqliteConnectionFactory(connectionString);
        var watch = Stopwatch.StartNew();
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
        return new Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    private static async Task<Rate> HttpIngestRateAsync(string path, List<string> batches)
    {
        await using var console = await RunningConsole.StartAsync(path);
        return await PostRateAsync(console.Http, batches);
    }

    /// <summary>Posts every batch from <see cref="Senders"/> concurrent senders after a warm-up; the accepted records per second.</summary>
    internal static async Task<Rate> PostRateAsync(HttpClient http, List<string> batches)
    {
        // Warm-up (JIT tiers, connection pool, page cache): 20 batches under other names, not counted.
        for (var w = 0; w < Math.Min(20, batches.Count); w++)
            await RunningConsole.PostContainerExitsAsync(http, batches[w].Replace("svc-", $"warm{w}-", StringComparison.Ordinal));

        var next = -1;
        long count = 0;
        var watch = Stopwatch.StartNew();
        var senders = Enumerable.Range(0, Senders).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < batches.Count)
                Interlocked.Add(ref count, await RunningConsole.PostContainerExitsAsync(http, batches[i]));
        });
        await Task.WhenAll(senders);
        return new Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    internal static async Task MigrateAsync(string connectionString)
    {
        await using var db = new OpsDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseSqlite(connectionString).Options);
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
    }
}
