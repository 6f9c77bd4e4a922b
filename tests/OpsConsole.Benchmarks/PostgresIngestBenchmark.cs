using System.Diagnostics;
using Npgsql;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;
using OpsConsole.Data.Sqlite;
using OpsConsole.Tests.Data.Postgres;
using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Benchmarks;

/// <summary>
/// <c>ingest N --provider postgres</c>: HTTP ingestion against a console on PostgreSQL next to raw batched inserts of the
/// same rows into the same tables, each on a fresh database of one throwaway cluster that runs with durable settings
/// (fsync and synchronous commit on, as a production server would). Between them, the console's store alone
/// (<see cref="PostgresRecordStore.WriteAsync"/> with the same rows, no HTTP, parsing or classification): the gap from raw
/// to store is the database work the console adds (dedupe keys, instance states, counters), the gap
/// from store to HTTP the pipeline's. Every side starts timing warm: the raw and store sides after one untimed batch
/// under other names, HTTP after 40 000 untimed records under other names and the warm-up of
/// <see cref="IngestBenchmark.PostRateAsync"/>.
/// </summary>
public static class PostgresIngestBenchmark
{
    private const int BatchSize = 500;

    internal static readonly Dictionary<string, string> Durable = new()
    {
        ["fsync"] = "on",
        ["synchronous_commit"] = "on",
        ["full_page_writes"] = "on",
        ["shared_buffers"] = "256MB",
    };

    public static async Task<int> RunAsync(int records)
    {
        await using var cluster = await PostgresCluster.StartAsync(Durable);
        var batches = Workload.Batches(records, BatchSize).ToList();
        Console.WriteLine($"workload: {records} container-exit items in {batches.Count} batches of {BatchSize}, PostgreSQL 15 on 127.0.0.1:{cluster.Port}");

        var raw = await RawInsertRateAsync(await cluster.CreateDatabaseAsync("raw1"), batches);
        var store = await StoreWriteRateAsync(await cluster.CreateDatabaseAsync("store"), batches);
        var http = await HttpIngestRateAsync(await cluster.CreateDatabaseAsync("http"), batches);
        var raw2 = await RawInsertRateAsync(await cluster.CreateDatabaseAsync("raw2"), batches);

        var rawRate = (raw.RecordsPerSecond + raw2.RecordsPerSecond) / 2;
        Console.WriteLine($"raw batched inserts (unnest, one transaction a batch): {rawRate:F0} records/s ({raw.RecordsPerSecond:F0} before, {raw2.RecordsPerSecond:F0} after)");
        Console.WriteLine($"the console's store alone (WriteAsync, same rows)  : {store.RecordsPerSecond:F0} records/s ({store.RecordsPerSecond / rawRate:F2} of raw)");
        Console.WriteLine($"HTTP ingest                                        : {http.RecordsPerSecond:F0} records/s, {http.Records} records (parse + classify + commit)");
        Console.WriteLine($"ratio                                              : {http.RecordsPerSecond / rawRate:F2}");
        NpgsqlConnection.ClearAllPools();
        return 0;
    }

    /// <summary>
    /// The same rows, written as plainly as PostgreSQL allows in batches: per batch one transaction, one multi-row insert
    /// into records and one upsert of the instance states, both from arrays. No dedupe lookups, no counters, no rules.
    /// </summary>
    private static async Task<IngestBenchmark.Rate> RawInsertRateAsync(string connectionString, List<string> batches)
    {
        await MigrateAsync(connectionString);
        var rows = IngestBenchmark.RawRows([WarmUpBatch(batches), .. batches]);

        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxAutoPrepare = 32 } }.Build();
        var watch = new Stopwatch();
        long count = 0;
        foreach (var batch in rows)
        {
            // The first (warm-up) batch is not counted: timing starts when it is in.
            if (!watch.IsRunning && count > 0) (watch, count) = (Stopwatch.StartNew(), 0);
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var insert = new NpgsqlCommand(RawInsertSql, connection))
            {
                insert.Parameters.AddRange(PostgresRecordStore.RecordArrays(batch));
                await insert.ExecuteNonQueryAsync();
            }
            await using (var states = new NpgsqlCommand("""
                INSERT INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage,
                    LastRecordId, LastSeenAt, FailureCount, FirstFailureAt, LastFailureAt)
                SELECT k, kind, src, name, loc, cat, sev, true, msg, 0, at, 1, at, at FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    AS u(k, kind, src, name, loc, cat, sev, msg, at)
                ON CONFLICT (InstanceKey) DO UPDATE SET LastSeenAt = excluded.LastSeenAt, FailureCount = instance_states.FailureCount + 1
                """, connection))
            {
                var last = batch.GroupBy(r => r.InstanceKey).Select(g => g.Last()).ToList();
                states.Parameters.AddRange(new NpgsqlParameter[] {
                    PostgresRecordStore.Array(last.Select(r => r.InstanceKey).ToArray()), PostgresRecordStore.Array(last.Select(r => r.Kind).ToArray()),
                    PostgresRecordStore.Array(last.Select(r => r.Source).ToArray()), PostgresRecordStore.Array(last.Select(r => r.InstanceName).ToArray()),
                    PostgresRecordStore.Array(last.Select(r => r.Location).ToArray()), PostgresRecordStore.Array(last.Select(r => r.Category).ToArray()),
                    PostgresRecordStore.Array(last.Select(r => r.Severity).ToArray()), PostgresRecordStore.Array(last.Select(r => r.Message).ToArray()),
                    PostgresRecordStore.Array(last.Select(r => r.OccurredAt.ToUnixTimeMilliseconds()).ToArray()) });
                await states.ExecuteNonQueryAsync();
            }
            await transaction.CommitAsync();
            count += batch.Count;
        }
        return new IngestBenchmark.Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>A plain multi-row insert into records (partitioned by day) from arrays: no dedupe key claimed, no conflict check.</summary>
    private static readonly string RawInsertSql =
        $"INSERT INTO records ({SqliteRecordStore.RecordColumns}) SELECT * FROM unnest({string.Join(", ", Enumerable.Range(1, 34).Select(i => $"${i}"))})";

    /// <summary>The rows of the raw side through the console's own store, one batch per call as an ingest request makes it.</summary>
    private static async Task<IngestBenchmark.Rate> StoreWriteRateAsync(string connectionString, List<string> batches)
    {
        await MigrateAsync(connectionString);
        var rows = IngestBenchmark.RawRows(batches);
        await using var dataSource = new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxAutoPrepare = 32, NoResetOnClose = true } }.Build();
        using var store = new PostgresRecordStore(dataSource);
        await store.WriteAsync(IngestBenchmark.RawRows([WarmUpBatch(batches)])[0], CancellationToken.None);
        var watch = Stopwatch.StartNew();
        long count = 0;
        foreach (var batch in rows)
        {
            await store.WriteAsync(batch, CancellationToken.None);
            count += batch.Count;
        }
        return new IngestBenchmark.Rate(count, count / watch.Elapsed.TotalSeconds);
    }

    /// <summary>The first batch under other container names: new rows that warm the code and the connection pool.</summary>
    private static string WarmUpBatch(List<string> batches) => batches[0].Replace("svc-", "warm-", StringComparison.Ordinal);

    private static async Task<IngestBenchmark.Rate> HttpIngestRateAsync(string connectionString, List<string> batches)
    {
        await using var console = await RunningConsole.StartAsync("unused.db", new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__OpsConsole"] = connectionString,
        });
        // A fresh console runs its first ~40 000 records on quick (tier-0) JIT code; the raw side's few statements are
        // compiled for good within its untimed batch. So the console gets that many records, untimed, before the
        // measurement's own warm-up.
        for (var i = 0; i < JitWarmUpRecords / BatchSize; i++)
            await RunningConsole.PostContainerExitsAsync(console.Http, batches[i % batches.Count].Replace("svc-", $"jit{i}-", StringComparison.Ordinal));
        return await IngestBenchmark.PostRateAsync(console.Http, batches);
    }

    private const int JitWarmUpRecords = 40_000;

    internal static async Task MigrateAsync(string connectionString)
    {
        await using (var db = new PostgresDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql(connectionString).Options))
            await db.Database.MigrateAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await RecordPartitions.EnsureAheadAsync(dataSource, DateTimeOffset.UtcNow, CancellationToken.None);
    }
}
