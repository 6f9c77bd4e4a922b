using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Benchmarks;

/// <summary>
/// HTTP ingestion against a running console on a fresh SQLite file, next to plain prepared
/// Microsoft.Data.Sqlite inserts of the same rows into the same tables, in one run (this machine is noisy:
/// the ratio is the figure that means something).
/// </summary>
public static class IngestBenchmark
{
    private const int BatchSize = 500;
    private const string Key = "bench-key";

    public static async Task<int> RunAsync(int records)
    {
        var root = RepositoryRoot();
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        var batches = Workload.Batches(records, BatchSize).ToList();
        Console.WriteLine($"workload: {records} container-exit items in {batches.Count} batches of {BatchSize}");

        var raw = await RawInsertRateAsync(Path.Combine(directory, "raw.db"), batches);
        var http = await HttpIngestRateAsync(root, Path.Combine(directory, "http.db"), batches);
        var raw2 = await RawInsertRateAsync(Path.Combine(directory, "raw2.db"), batches);

        var baseline = (raw.RecordsPerSecond + raw2.RecordsPerSecond) / 2;
        Console.WriteLine($"raw prepared inserts : {raw.Records} records, {raw.RecordsPerSecond:F0} records/s (before) {raw2.RecordsPerSecond:F0} records/s (after)");
        Console.WriteLine($"HTTP ingest          : {http.Records} records, {http.RecordsPerSecond:F0} records/s (parse + classify + commit, 2 concurrent senders)");
        Console.WriteLine($"ratio                : {http.RecordsPerSecond / baseline:F2} x raw (target >= 0.70)");
        SqliteConnection.ClearAllPools();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    private sealed record Rate(long Records, double RecordsPerSecond);

    /// <summary>The same rows the console would store, inserted with one prepared command, one transaction per batch.</summary>
    private static async Task<Rate> RawInsertRateAsync(string path, List<string> batches)
    {
        var connectionString = $"Data Source={path}";
        await MigrateAsync(connectionString);
        // Parsing is not timed: the baseline is the insert cost alone.
        var rows = batches.Select(body =>
        {
            var context = new ParseContext(PayloadFormats.Container, DateTimeOffset.UtcNow, _ => null);
            PayloadFormats.Parse(PayloadFormats.Container, PayloadReader.Split(Encoding.UTF8.GetBytes(body), false, 10_000), null, context);
            foreach (var record in context.Records) { record.Category = "exit.app-error"; record.Severity = "error"; record.RuleId = "exit-1"; record.Evidence = "exitCode=1"; record.RulesetVersion = "raw"; record.IsFailure = true; }
            return context.Records;
        }).ToList();

        var factory = new SqliteConnectionFactory(connectionString);
        var watch = Stopwatch.StartNew();
        long count = 0;
        foreach (var batch in rows)
        {
            await using var connection = await factory.OpenAsync(CancellationToken.None);
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync();
            using var insert = SqliteRecordStore.CreateInsert(connection, transaction);
            foreach (var record in batch)
            {
                SqliteRecordStore.BindRecord(insert, record);
                insert.ExecuteNonQuery();
                count++;
            }
            await transaction.CommitAsync();
        }
        return new Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    private static async Task<Rate> HttpIngestRateAsync(string root, string path, List<string> batches)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "run", "--project", "src/OpsConsole", "-c", "Release", "--no-build", "--", "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning" })
            info.ArgumentList.Add(arg);
        info.Environment["ConnectionStrings__OpsConsole"] = $"Data Source={path}";
        info.Environment["Ingestion__ApiKeys__0"] = Key;
        using var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            http.DefaultRequestHeaders.Add("X-Api-Key", Key);
            await WaitHealthyAsync(http);
            // Warm-up batch (JIT, connection pool), not counted.
            await PostAsync(http, batches[0].Replace("\"svc-", "\"warm-", StringComparison.Ordinal));

            var next = -1;
            long count = 0;
            var watch = Stopwatch.StartNew();
            var senders = Enumerable.Range(0, 2).Select(async _ =>
            {
                int i;
                while ((i = Interlocked.Increment(ref next)) < batches.Count)
                    Interlocked.Add(ref count, await PostAsync(http, batches[i]));
            });
            await Task.WhenAll(senders);
            return new Rate(count, count / watch.Elapsed.TotalSeconds);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static async Task<int> PostAsync(HttpClient http, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/v1/container-exits", content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {text}");
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty("accepted").GetInt32();
    }

    private static async Task MigrateAsync(string connectionString)
    {
        await using var db = new OpsDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseSqlite(connectionString).Options);
        await db.Database.MigrateAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode = WAL;");
    }

    private static async Task WaitHealthyAsync(HttpClient http)
    {
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("the console did not become healthy");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the repository");
    }
}
