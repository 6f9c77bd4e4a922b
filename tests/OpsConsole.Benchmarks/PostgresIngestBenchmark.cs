using System.Diagnostics;
using System.Globalization;
using Npgsql;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Data.Postgres;
using Microsoft.EntityFrameworkCore;
using static OpsConsole.Benchmarks.Measures;

namespace OpsConsole.Benchmarks;

/// <summary>
/// <c>ingest N --provider postgres</c>: HTTP ingestion against a console on PostgreSQL next to raw batched inserts of the
/// same rows into the same tables, on three databases of one throwaway cluster (so one set of server settings,
/// <see cref="Durable"/>, for every side). Between them, the console's store alone (<see cref="PostgresRecordStore.WriteAsync"/>
/// with the raw side's rows, no HTTP, parsing or classification): the gap from raw to store is the database work the
/// console adds (the advisory lock, the dedupe claim, reading and merging instance states), the gap from store to HTTP
/// the pipeline's (on this 2-core machine the console's CPU competes with the server's).
/// <para>
/// The sides take turns: every side first writes the same <see cref="IngestBenchmark.WarmUpRecords"/> untimed (the
/// console's first ~40 k records run on tier-0 JIT code; the tables then hold the same rows), then the workload is cut
/// into <see cref="Rounds"/> rounds and each round runs every side once, in alternating order, so a checkpoint,
/// an autovacuum or a neighbour's build lands on all of them alike. The figures are each side's median round.
/// </para>
/// </summary>
public static class PostgresIngestBenchmark
{
    private const int BatchSize = 500;
    private const int Rounds = 5;

    /// <summary>
    /// Durable as a production server (fsync, synchronous commit, full page writes), with the checkpoint spacing a
    /// server taking a steady write load is given: without it the default max_wal_size (1 GB) forces a checkpoint every
    /// few hundred thousand records, whose full-page writes then slow whichever side is running.
    /// </summary>
    internal static readonly Dictionary<string, string> Durable = new()
    {
        ["fsync"] = "on",
        ["synchronous_commit"] = "on",
        ["full_page_writes"] = "on",
        ["shared_buffers"] = "256MB",
        ["checkpoint_timeout"] = "30min",
        ["max_wal_size"] = "8GB",
    };

    /// <summary>
    /// With <paramref name="statements"/> (<c>--statements</c>) the server loads pg_stat_statements (shipped in Debian's
    /// postgresql package) and, after the rounds, prints each side's statements by server time: where the store's extra
    /// time goes in the server. Off by default, as the extension's bookkeeping costs every side a little.
    /// </summary>
    public static async Task<int> RunAsync(int records, bool statements = false)
    {
        var settings = new Dictionary<string, string>(Durable);
        if (statements) settings["shared_preload_libraries"] = "pg_stat_statements";
        await using var cluster = await PostgresCluster.StartAsync(settings);
        var batches = Workload.Batches(records, BatchSize).ToList();
        var rounds = batches.Chunk((batches.Count + Rounds - 1) / Rounds).Select(r => r.ToList()).ToList();
        var warmUp = IngestBenchmark.WarmUpBatches();
        Console.WriteLine($"workload: {records} container-exit items in {batches.Count} batches of {BatchSize}, {rounds.Count} rounds, " +
                          $"after {IngestBenchmark.WarmUpRecords} untimed warm-up items on each side; PostgreSQL on 127.0.0.1:{cluster.Port} " +
                          $"with {string.Join(", ", Durable.Select(s => $"{s.Key}={s.Value}"))}");

        var raw = await RawSide.StartAsync(await cluster.CreateDatabaseAsync("raw"));
        var copy = await RawSide.StartAsync(await cluster.CreateDatabaseAsync("copy"));
        var store = await StoreSide.StartAsync(await cluster.CreateDatabaseAsync("store"));
        await using var console = await RunningConsole.StartAsync("unused.db", new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__OpsConsole"] = await cluster.CreateDatabaseAsync("http"),
        });
        var warmUpRows = IngestBenchmark.RawRows(warmUp);
        await raw.WriteAsync(warmUpRows);
        await copy.CopyAsync(IngestBenchmark.RawRows(warmUp));
        await store.WriteAsync(IngestBenchmark.RawRows(warmUp));
        await IngestBenchmark.PostRateAsync(console.Http, warmUp, warmUp: []);
        Console.WriteLine($"console warm-up: {await IngestBenchmark.SettleJitAsync(console, warmUp)}");
        if (statements) await ResetStatementsAsync(cluster);
        var serverCpuBefore = await BackendCpuAsync(cluster);

        var rates = new List<(double Raw, double Copy, double Store, double Http)>();
        var cpu = new List<(double Raw, double Store, double Console)>();
        for (var round = 0; round < rounds.Count; round++)
        {
            // Parsed before timing: the raw and store sides time the writes alone.
            var rawRows = IngestBenchmark.RawRows(rounds[round]);
            var copyRows = IngestBenchmark.RawRows(rounds[round]);
            var storeRows = IngestBenchmark.RawRows(rounds[round]);
            double rawRate = 0, copyRate = 0, storeRate = 0, httpRate = 0, rawCpu = 0, storeCpu = 0, consoleCpu = 0;
            var sides = new List<Func<Task>>
            {
                async () => (rawRate, rawCpu) = await Cpu(() => raw.WriteAsync(rawRows), rawRows),
                async () => copyRate = await copy.CopyAsync(copyRows),
                async () => (storeRate, storeCpu) = await Cpu(() => store.WriteAsync(storeRows), storeRows),
                async () =>
                {
                    // prometheus-net's figure of the console's process, as the SQLite ingest benchmark reads it.
                    var before = await console.MetricAsync("process_cpu_seconds_total");
                    var http = await IngestBenchmark.PostRateAsync(console.Http, rounds[round], warmUp: []);
                    (httpRate, consoleCpu) = (http.RecordsPerSecond, (await console.MetricAsync("process_cpu_seconds_total") - before) * 1e6 / http.Records);
                },
            };
            if (round % 2 == 1) sides.Reverse();
            foreach (var side in sides) await side();
            rates.Add((rawRate, copyRate, storeRate, httpRate));
            cpu.Add((rawCpu, storeCpu, consoleCpu));
            Console.WriteLine($"round {round + 1}: raw {rawRate:F0}/s, raw by COPY {copyRate:F0}/s, store {storeRate:F0}/s ({storeRate / rawRate:F2}), " +
                              $"HTTP {httpRate:F0}/s ({httpRate / rawRate:F2}), load average {LoadAverage()}");
        }

        var rawMedian = Median(rates.Select(r => r.Raw));
        var copyMedian = Median(rates.Select(r => r.Copy));
        var storeMedian = Median(rates.Select(r => r.Store));
        var httpMedian = Median(rates.Select(r => r.Http));
        Console.WriteLine($"raw batched inserts (unnest, one round trip a batch): {rawMedian:F0} records/s (median of {rates.Count} rounds)");
        Console.WriteLine($"the same by binary COPY into a staging table        : {copyMedian:F0} records/s ({copyMedian / rawMedian:F2} of unnest)");
        Console.WriteLine($"the console's store alone (WriteAsync, same rows)   : {storeMedian:F0} records/s ({storeMedian / rawMedian:F2} of raw)");
        Console.WriteLine($"HTTP ingest (parse + classify + commit, 2 senders)  : {httpMedian:F0} records/s");
        Console.WriteLine($"ratio (HTTP / raw medians)                          : {httpMedian / rawMedian:F2}; median of the rounds' ratios {Median(rates.Select(r => r.Http / r.Raw)):F2}");
        Console.WriteLine($"this process's CPU per record written (the .NET side of raw and store): raw {Median(cpu.Select(c => c.Raw)):F1} µs, " +
                          $"store {Median(cpu.Select(c => c.Store)):F1} µs; the console's on HTTP ingest {Median(cpu.Select(c => c.Console)):F1} µs (medians of the rounds)");
        var serverCpuAfter = await BackendCpuAsync(cluster);
        // A backend that started meanwhile counts whole; one that ended meanwhile is missing (the console's pool may retire some).
        Console.WriteLine("server CPU per record (its backends' user + system time over the timed rounds): " + string.Join(", ",
            serverCpuAfter.GroupBy(b => b.Key.Database, b => b.Value - serverCpuBefore.GetValueOrDefault(b.Key)).OrderBy(side => side.Key)
                .Select(side => $"{side.Key} {side.Sum(t => t.TotalMicroseconds) / records:F1} µs")));
        if (statements) await PrintStatementsAsync(cluster, records);
        await raw.DisposeAsync();
        await copy.DisposeAsync();
        await store.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        return 0;
    }

    /// <summary>The rate <paramref name="write"/> reports and this process's CPU per record meanwhile, in µs.</summary>
    private static async Task<(double Rate, double CpuMicroseconds)> Cpu(Func<Task<double>> write, List<List<EventRecord>> rows)
    {
        var before = Process.GetCurrentProcess().TotalProcessorTime;
        var rate = await write();
        return (rate, (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / rows.Sum(b => b.Count));
    }

    /// <summary>
    /// CPU time so far of each server process serving a side's database (from /proc), by process and database. Unlike
    /// rates, CPU time barely moves with the machine's load.
    /// </summary>
    private static async Task<Dictionary<(int Pid, string Database), TimeSpan>> BackendCpuAsync(PostgresCluster cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT pid, datname FROM pg_stat_activity WHERE datname IN ('raw', 'copy', 'store', 'http')", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var cpu = new Dictionary<(int, string), TimeSpan>();
        while (await reader.ReadAsync())
        {
            var stat = $"/proc/{reader.GetInt32(0)}/stat";
            if (!File.Exists(stat)) continue;
            // Fields 14 and 15 (utime, stime) in clock ticks, counted after the command name's closing parenthesis.
            var fields = File.ReadAllText(stat).Split(')')[^1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            cpu[(reader.GetInt32(0), reader.GetString(1))] = TimeSpan.FromSeconds(ticks / 100.0);
        }
        return cpu;
    }

    private static async Task ResetStatementsAsync(PostgresCluster cluster)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS pg_stat_statements; SELECT pg_stat_statements_reset()", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The timed rounds' statements of the raw and store sides by server time, in µs per record.</summary>
    private static async Task PrintStatementsAsync(PostgresCluster cluster, int records)
    {
        await using var connection = new NpgsqlConnection(cluster.ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            SELECT d.datname, s.calls, s.total_exec_time, s.rows, regexp_replace(left(s.query, 110), '\s+', ' ', 'g')
            FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
            WHERE d.datname IN ('raw', 'store') ORDER BY d.datname, s.total_exec_time DESC
            """, connection);
        await using var reader = await command.ExecuteReaderAsync();
        Console.WriteLine("server time per record by statement (pg_stat_statements, timed rounds):");
        while (await reader.ReadAsync())
            if (reader.GetDouble(2) * 1000 / records >= 0.05)
                Console.WriteLine($"  {reader.GetString(0),-5} {reader.GetDouble(2) * 1000 / records,7:F1} µs  {reader.GetInt64(1),6} calls  {reader.GetString(4)}");
    }

    /// <summary>
    /// The rows the store writes, written as plainly as PostgreSQL allows: per batch one statement in one round trip (an
    /// implicit transaction) that inserts the records from arrays, their keys into record_dedupe and the latest record
    /// of each instance into instance_states, then adds the batch's counts to category_counts and failure_hours. No lock,
    /// no dedupe check against stored keys, no reading of stored states, no rules.
    /// </summary>
    private sealed class RawSide(NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        private static readonly string InsertSql = Insert($"unnest({string.Join(", ", Enumerable.Range(1, 34).Select(i => $"${i}"))})");

        private static NpgsqlBatchCommand FromStagingSql => new(Insert("records_staging"));

        /// <summary>The records of <paramref name="rows"/> into records, record_dedupe and instance_states in one statement.</summary>
        private static string Insert(string rows) => $"""
            WITH inserted AS (
                INSERT INTO records ({SqliteRecordStore.RecordColumns}) SELECT * FROM {rows}
                RETURNING Id, DedupeKey, ReceivedAt, InstanceKey, Kind, Source, InstanceName, Location, Category, Severity, IsFailure, Message, OccurredAt, Identity),
            keys AS (INSERT INTO record_dedupe (DedupeKey, RecordId, ReceivedAt) SELECT DedupeKey, Id, ReceivedAt FROM inserted)
            INSERT INTO instance_states (InstanceKey, Kind, Source, DisplayName, Location, Category, Severity, IsFailing, LastMessage,
                LastRecordId, LastSeenAt, Identity, FailureCount, FirstFailureAt, LastFailureAt)
            SELECT DISTINCT ON (InstanceKey) InstanceKey, Kind, Source, InstanceName, Location, Category, Severity, IsFailure, Message,
                Id, OccurredAt, Identity, 1, OccurredAt, OccurredAt
            FROM inserted ORDER BY InstanceKey, OccurredAt DESC
            ON CONFLICT (InstanceKey) DO UPDATE SET Category = excluded.Category, Severity = excluded.Severity, IsFailing = excluded.IsFailing,
                LastMessage = excluded.LastMessage, LastRecordId = excluded.LastRecordId, LastSeenAt = excluded.LastSeenAt,
                FailureCount = instance_states.FailureCount + 1, LastFailureAt = excluded.LastFailureAt
            """;

        private const string CountsSql = """
            INSERT INTO category_counts (Category, Records, FailingInstances) SELECT * FROM unnest($1, $2, $3)
            ON CONFLICT (Category) DO UPDATE SET Records = category_counts.Records + excluded.Records
            """;

        private const string HoursSql = """
            INSERT INTO failure_hours (Hour, Failures) SELECT * FROM unnest($1, $2)
            ON CONFLICT (Hour) DO UPDATE SET Failures = failure_hours.Failures + excluded.Failures
            """;

        public static async Task<RawSide> StartAsync(string connectionString) => new(await MigratedAsync(connectionString));

        /// <summary>Writes every batch; records per second.</summary>
        public Task<double> WriteAsync(List<List<EventRecord>> batches) => RateAsync(batches, async batch =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            var insert = new NpgsqlBatchCommand(InsertSql);
            insert.Parameters.AddRange(PostgresRecordStore.RecordArrays(batch));
            await using var statements = Statements(connection, batch, insert);
            await statements.ExecuteNonQueryAsync();
        });

        /// <summary><paramref name="insert"/> followed by the batch's counter upserts.</summary>
        private static NpgsqlBatch Statements(NpgsqlConnection connection, List<EventRecord> batch, NpgsqlBatchCommand insert)
        {
            var categories = batch.GroupBy(r => r.Category).ToList();
            var hours = batch.Where(r => r.IsFailure).GroupBy(r => r.ReceivedAt.ToUnixTimeMilliseconds() / 3_600_000).ToList();
            var counts = new NpgsqlBatchCommand(CountsSql);
            counts.Parameters.AddRange(new[] {
                PostgresRecordStore.Array(categories.Select(g => g.Key).ToArray()), PostgresRecordStore.Array(categories.Select(g => g.Count()).ToArray()),
                PostgresRecordStore.Array(categories.Select(_ => 0).ToArray()) });
            var failures = new NpgsqlBatchCommand(HoursSql);
            failures.Parameters.AddRange(new[] {
                PostgresRecordStore.Array(hours.Select(g => g.Key).ToArray()), PostgresRecordStore.Array(hours.Select(g => g.Count()).ToArray()) });
            return new NpgsqlBatch(connection) { BatchCommands = { insert, counts, failures } };
        }

        /// <summary>
        /// The same statements with the records sent by binary COPY into a temporary staging table instead of as
        /// arrays: BEGIN and the staging table, the COPY, then the insert from the staging table, the counters and the
        /// COMMIT (four round trips a batch against one). Measures whether COPY's row format beats unnest's arrays.
        /// </summary>
        public Task<double> CopyAsync(List<List<EventRecord>> batches) => RateAsync(batches, async batch =>
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using (var begin = new NpgsqlBatch(connection) { BatchCommands = { new("BEGIN"), new(StagingSql) } })
                await begin.ExecuteNonQueryAsync();
            var columns = PostgresRecordStore.RecordArrays(batch).Select(p => (Array)p.Value!).ToArray();
            await using (var importer = await connection.BeginBinaryImportAsync($"COPY records_staging ({SqliteRecordStore.RecordColumns}) FROM STDIN (FORMAT BINARY)"))
            {
                for (var row = 0; row < batch.Count; row++)
                {
                    await importer.StartRowAsync();
                    foreach (var column in columns)
                    {
                        var value = column.GetValue(row);
                        if (value is null) await importer.WriteNullAsync();
                        else await importer.WriteAsync(value, value switch
                        {
                            string => NpgsqlTypes.NpgsqlDbType.Text, int => NpgsqlTypes.NpgsqlDbType.Integer,
                            long => NpgsqlTypes.NpgsqlDbType.Bigint, bool => NpgsqlTypes.NpgsqlDbType.Boolean,
                            _ => throw new InvalidOperationException($"no COPY type for {value.GetType()}"),
                        });
                    }
                }
                await importer.CompleteAsync();
            }
            await using var statements = Statements(connection, batch, FromStagingSql);
            statements.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
            await statements.ExecuteNonQueryAsync();
        });

        private static readonly string StagingSql =
            $"CREATE TEMP TABLE IF NOT EXISTS records_staging ON COMMIT DELETE ROWS AS SELECT {SqliteRecordStore.RecordColumns} FROM records WITH NO DATA";

        public ValueTask DisposeAsync() => dataSource.DisposeAsync();
    }

    /// <summary>The raw side's rows through the console's own store, one batch per call as an ingest request makes it.</summary>
    private sealed class StoreSide(NpgsqlDataSource dataSource) : IAsyncDisposable
    {
        private readonly PostgresRecordStore _store = new(dataSource);

        public static async Task<StoreSide> StartAsync(string connectionString) => new(await MigratedAsync(connectionString));

        public Task<double> WriteAsync(List<List<EventRecord>> batches) => RateAsync(batches, batch => _store.WriteAsync(batch, CancellationToken.None));

        public ValueTask DisposeAsync()
        {
            _store.Dispose();
            return dataSource.DisposeAsync();
        }
    }

    /// <summary>Writes every batch with <paramref name="write"/>; records per second.</summary>
    private static async Task<double> RateAsync(List<List<EventRecord>> batches, Func<List<EventRecord>, Task> write)
    {
        var watch = Stopwatch.StartNew();
        long count = 0;
        foreach (var batch in batches)
        {
            await write(batch);
            count += batch.Count;
        }
        return count / watch.Elapsed.TotalSeconds;
    }

    /// <summary>A migrated database's data source, prepared and without reset as the console's own.</summary>
    private static async Task<NpgsqlDataSource> MigratedAsync(string connectionString)
    {
        await MigrateAsync(connectionString);
        return new NpgsqlDataSourceBuilder(connectionString) { ConnectionStringBuilder = { MaxAutoPrepare = 32, NoResetOnClose = true } }.Build();
    }

    internal static async Task MigrateAsync(string connectionString)
    {
        await using (var db = new PostgresDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql(connectionString).Options))
            await db.Database.MigrateAsync();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await RecordPartitions.EnsureAheadAsync(dataSource, DateTimeOffset.UtcNow, CancellationToken.None);
    }
}
