using System.Diagnostics;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using OpsConsole.Data;
using OpsConsole.Data.Postgres;
using OpsConsole.Tests.Data.Postgres;
using Row = OpsConsole.Benchmarks.RecordsBenchmark.Row;

namespace OpsConsole.Benchmarks;

/// <summary>
/// <c>records N --reads --provider postgres</c>: the records benchmark's priming reads, start-up and read APIs on
/// PostgreSQL, against the same store as on SQLite. The store lives in a cluster kept beside the SQLite file
/// (<c>$TMPDIR/opsconsole-bench/records-N.pg</c>, durable settings as the other PostgreSQL benchmarks), filled once by
/// copying the SQLite file's store tables into the migrated schema with binary COPY, and reused by later runs.
/// </summary>
public static class PostgresRecordsBenchmark
{
    private const string Database = "records";

    /// <summary>Written once the copy has committed and been analysed: a cluster without it is filled again.</summary>
    private const string FilledMarker = "filled";

    /// <summary>
    /// What the read APIs and the start-up priming read: records, the instance states and counters derived from them,
    /// the saved senders, and the operators' own rows beside them (empty in a benchmark store, copied all the same).
    /// </summary>
    private static readonly string[] StoreTables =
        ["records", "instance_states", "category_counts", "failure_hours", "source_origins", "runbook_steps", "instance_acknowledgements", "silences"];

    /// <summary>
    /// The other PostgreSQL benchmarks' durable settings, with WAL recycled after every GB: the copy writes as much WAL
    /// as the store's size, and the disk also holds the SQLite file it copies (11 GB at 10 M).
    /// </summary>
    private static readonly Dictionary<string, string> Settings = new(PostgresIngestBenchmark.Durable) { ["max_wal_size"] = "1GB" };

    public static async Task<int> RunAsync(int records)
    {
        var sqlitePath = RecordsBenchmark.StorePath(records);
        var table = new List<Row>();
        var directory = Path.Combine(RecordsBenchmark.Root(), $"records-{records}.pg");
        await using var cluster = await PostgresCluster.StartKeptAsync(directory, Settings);
        var connectionString = cluster.ConnectionString(Database);
        var marker = Path.Combine(directory, FilledMarker);
        if (File.Exists(marker)) await PostgresIngestBenchmark.MigrateAsync(connectionString);
        else
        {
            // The SQLite store is needed only to fill the cluster: a filled one runs without it.
            table.Add(await RecordsBenchmark.BuiltOrReusedAsync(sqlitePath, records));
            SqliteConnection.ClearAllPools();
            await cluster.DropDatabaseAsync(Database);
            await cluster.CreateDatabaseAsync(Database);
            await PostgresIngestBenchmark.MigrateAsync(connectionString);
            table.Add(await FillAsync(sqlitePath, connectionString));
            await File.WriteAllTextAsync(marker, DateTimeOffset.UtcNow.ToString("O"));
        }
        await using (var dataSource = NpgsqlDataSource.Create(connectionString))
        {
            await using var size = dataSource.CreateCommand("SELECT pg_database_size(current_database())");
            table.Add(new Row("PostgreSQL store", $"cluster {directory}, database '{Database}' {(long)(await size.ExecuteScalarAsync())! / 1_048_576} MB", ""));
            using var store = new PostgresRecordStore(dataSource);
            table.Add(await QuietStore.ReclassifiedAsync(() => Context(connectionString), store));
            table.AddRange(await RecordsBenchmark.PrimingAsync(() => Context(connectionString), store));
        }
        NpgsqlConnection.ClearAllPools();

        var startUp = Stopwatch.StartNew();
        await using (var console = await RunningConsole.StartAsync("unused.db", new Dictionary<string, string>
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__OpsConsole"] = connectionString,
        }))
        {
            var healthy = startUp.Elapsed;
            // The reads first: by then the console's start-up line has been read from its output.
            var reads = await RecordsBenchmark.ReadApisAsync(console.Http, () => Context(connectionString));
            table.AddRange(RecordsBenchmark.StartUp(healthy, console));
            table.AddRange(reads);
        }
        NpgsqlConnection.ClearAllPools();
        RecordsBenchmark.Print(table);
        return 0;
    }

    /// <summary>
    /// In one transaction: the day partitions the records need (as the console's partition maintenance makes them), each
    /// store table by binary COPY with its secondary indexes dropped and built again after (one sorted build each instead
    /// of millions of inserts), record_dedupe from the records' keys, the id sequences past the copied ids. Then ANALYZE,
    /// so the planner has the statistics a live store has; the vacuum of the loaded partitions is left to autovacuum,
    /// as on a live store (at 1 M a VACUUM took half as long as the copy).
    /// </summary>
    private static async Task<Row> FillAsync(string sqlitePath, string connectionString)
    {
        var watch = Stopwatch.StartNew();
        await using var sqlite = new SqliteConnection($"Data Source={sqlitePath};Mode=ReadOnly");
        await sqlite.OpenAsync();
        // No command timeout: the copy, the index builds and the vacuum of 10 M records take minutes.
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString) { CommandTimeout = 0 });
        await RecordPartitions.EnsureAsync(dataSource, await DaysAsync(sqlite), CancellationToken.None);

        await using var connection = await dataSource.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ExecuteAsync(connection, "SET LOCAL maintenance_work_mem = '512MB'");
            foreach (var name in StoreTables)
            {
                var columns = await ColumnsAsync(connection, name);
                await CopyAsync(sqlite, connection, name, columns, $"SELECT {string.Join(", ", columns.Select(c => c.Name))} FROM {name}");
            }
            // Same order as record_dedupe's columns (dedupekey, recordid, receivedat).
            await CopyAsync(sqlite, connection, "record_dedupe", await ColumnsAsync(connection, "record_dedupe"), "SELECT DedupeKey, Id, ReceivedAt FROM records");
            foreach (var name in StoreTables) await AdvanceIdSequenceAsync(connection, name);
            await using (var invalid = new NpgsqlCommand("SELECT string_agg(indexrelid::regclass::text, ', ') FROM pg_index WHERE NOT indisvalid", connection))
                if (await invalid.ExecuteScalarAsync() is string names) throw new InvalidOperationException($"indexes left invalid after the copy: {names}");
            await transaction.CommitAsync();
        }
        var copied = watch.Elapsed;
        await ExecuteAsync(connection, "ANALYZE");
        await ExecuteAsync(connection, "CHECKPOINT");
        return new Row("PostgreSQL store", $"filled from {Path.GetFileName(sqlitePath)} in {copied.TotalSeconds:F0} s (binary COPY, indexes built after), " +
                                           $"then ANALYZE in {(watch.Elapsed - copied).TotalSeconds:F0} s", "");
    }

    /// <summary>Every UTC day from the oldest record's received day to the newest's.</summary>
    private static async Task<IEnumerable<long>> DaysAsync(SqliteConnection sqlite)
    {
        await using var command = sqlite.CreateCommand();
        command.CommandText = "SELECT MIN(ReceivedAt), MAX(ReceivedAt) FROM records";
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        if (reader.IsDBNull(0)) return [];
        var (first, last) = (RecordPartitions.DayOf(reader.GetInt64(0)), RecordPartitions.DayOf(reader.GetInt64(1)));
        return Enumerable.Range(0, (int)(last - first) + 1).Select(i => first + i);
    }

    private sealed record Column(string Name, string Type);

    /// <summary>The columns COPY writes, in table order: generated ones (instance_states.family) the server computes.</summary>
    private static async Task<List<Column>> ColumnsAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand("""
            SELECT column_name, data_type FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position
            """, connection) { Parameters = { new() { Value = table } } };
        var columns = new List<Column>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) columns.Add(new Column(reader.GetString(0), reader.GetString(1)));
        return columns;
    }

    /// <summary>The rows of <paramref name="select"/> on SQLite into <paramref name="table"/>, whose secondary indexes are built after.</summary>
    private static async Task CopyAsync(SqliteConnection sqlite, NpgsqlConnection connection, string table, List<Column> columns, string select)
    {
        var watch = Stopwatch.StartNew();
        var indexes = await SecondaryIndexesAsync(connection, table);
        foreach (var (name, _) in indexes) await ExecuteAsync(connection, $"DROP INDEX {name}");
        var writers = columns.Select(c => Writer(c.Type)).ToArray();
        long rows = 0;
        await using (var command = sqlite.CreateCommand())
        {
            command.CommandText = select;
            await using var reader = await command.ExecuteReaderAsync();
            // Synchronous writes: one awaited call per value would cost more than the copy of the value.
            using var importer = connection.BeginBinaryImport($"COPY {table} ({string.Join(", ", columns.Select(c => c.Name))}) FROM STDIN (FORMAT BINARY)");
            while (reader.Read())
            {
                importer.StartRow();
                for (var i = 0; i < writers.Length; i++)
                {
                    if (reader.IsDBNull(i)) importer.WriteNull();
                    else writers[i](reader, i, importer);
                }
                if (++rows % 1_000_000 == 0) Console.WriteLine($"{table}: {rows} rows copied, {rows / watch.Elapsed.TotalSeconds:F0}/s");
            }
            importer.Complete();
        }
        var copied = watch.Elapsed;
        foreach (var (_, definition) in indexes) await ExecuteAsync(connection, definition);
        if (rows > 0) Console.WriteLine($"{table}: {rows} rows in {copied.TotalSeconds:F0} s, {indexes.Count} indexes built in {(watch.Elapsed - copied).TotalSeconds:F0} s");
    }

    /// <summary>Reads a SQLite value as the PostgreSQL column's type and writes it (SQLite keeps booleans as 0/1 integers).</summary>
    private static Action<SqliteDataReader, int, NpgsqlBinaryImporter> Writer(string type) => type switch
    {
        "bigint" => (r, i, w) => w.Write(r.GetInt64(i), NpgsqlDbType.Bigint),
        "integer" => (r, i, w) => w.Write(r.GetInt32(i), NpgsqlDbType.Integer),
        "boolean" => (r, i, w) => w.Write(r.GetInt64(i) != 0, NpgsqlDbType.Boolean),
        "text" or "character varying" => (r, i, w) => w.Write(r.GetString(i), NpgsqlDbType.Text),
        "bytea" => (r, i, w) => w.Write(r.GetFieldValue<byte[]>(i), NpgsqlDbType.Bytea),
        _ => throw new InvalidOperationException($"no copy for a PostgreSQL {type} column"),
    };

    /// <summary>The table's indexes that back no constraint (the primary key stays), with the statement that makes each.</summary>
    private static async Task<List<(string Name, string Definition)>> SecondaryIndexesAsync(NpgsqlConnection connection, string table)
    {
        await using var command = new NpgsqlCommand("""
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
            WHERE i.indrelid = $1::regclass AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """, connection) { Parameters = { new() { Value = table } } };
        var indexes = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        // A partitioned table's index is defined "ON ONLY" the parent (its partitions' indexes attached one by one):
        // made again on the whole table, it is built on every partition.
        while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1).Replace(" ON ONLY ", " ON ", StringComparison.Ordinal)));
        return indexes;
    }

    /// <summary>The table's id sequence (identity, or records' own record_ids) past the largest copied id, so new rows get new ids.</summary>
    private static async Task AdvanceIdSequenceAsync(NpgsqlConnection connection, string table)
    {
        if (!(await ColumnsAsync(connection, table)).Any(c => c.Name == "id")) return;
        await using var command = new NpgsqlCommand($"SELECT setval(pg_get_serial_sequence($1, 'id'), MAX(id)) FROM {table} HAVING MAX(id) IS NOT NULL", connection)
            { Parameters = { new() { Value = table } } };
        await command.ExecuteNonQueryAsync();
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static OpsDbContext Context(string connectionString) =>
        new PostgresDbContext(new DbContextOptionsBuilder<OpsDbContext>().UseNpgsql(connectionString).Options);
}
