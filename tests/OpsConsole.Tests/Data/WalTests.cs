using System.Buffers.Binary;
using Microsoft.Extensions.Logging.Abstractions;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data;

/// <summary>The WAL is cut back to nothing once ingestion goes quiet, and kept near its limit while it does not.</summary>
public sealed class WalTests
{
    [Fact]
    public async Task After_a_busy_spell_the_wal_is_truncated_when_idle()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        var wal = factory.DatabasePath + "-wal";
        for (var b = 0; b < 6; b++)
            await api.PostOkAsync("/api/v1/container-exits", RecordCounterTests.Batch($"wal{b}", 400, exitCode: 1));
        var busy = new FileInfo(wal).Length;
        Assert.True(busy > 0, "ingestion writes through the WAL");

        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (new FileInfo(wal).Length > 0 && DateTime.UtcNow < deadline) await Task.Delay(200);
        Assert.Equal(0, new FileInfo(wal).Length);
        Assert.Equal(2400, factory.Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task Under_sustained_ingest_a_wal_past_its_limit_is_restarted_while_the_writers_keep_writing()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        var connections = new SqliteConnectionFactory(database.ConnectionString);
        using var store = new SqliteRecordStore(connections);
        using var checkpointer = new WalCheckpointer(connections, store, NullLogger<WalCheckpointer>.Instance);
        await checkpointer.StartAsync(CancellationToken.None);
        var wal = database.FilePath + "-wal";

        // Two writers back to back, as two senders keep the single writer busy: a transaction is always open.
        using var stop = new CancellationTokenSource();
        async Task WriteAsync(int writer)
        {
            for (var batch = 0; !stop.IsCancellationRequested; batch++)
                await store.WriteAsync(Batch(writer, batch), CancellationToken.None);
        }
        var writers = new[] { Task.Run(() => WriteAsync(0)), Task.Run(() => WriteAsync(1)) };

        uint? sequenceWhenPast = null;
        var restarted = false;
        long largest = 0, shortest = long.MaxValue;
        var deadline = DateTime.UtcNow.AddMinutes(3);
        try
        {
            // Without a restart the log only grows (to the ~1 GB auto-checkpoint); half of that is the cut-off. Two writers
            // with nothing else to do write ~65 MB/s on a loaded disk, and a restart may take the checkpointer two seconds.
            while (!restarted && largest < 8 * SqliteConnectionFactory.LogRestartBytes && DateTime.UtcNow < deadline && !writers.Any(w => w.IsCompleted))
            {
                await Task.Delay(50);
                var (length, sequence) = Header(wal);
                largest = Math.Max(largest, length);
                // The checkpoint sequence in the WAL header moves each time SQLite restarts the log.
                if (sequenceWhenPast is null && length > SqliteConnectionFactory.LogRestartBytes) sequenceWhenPast = sequence;
                else if (sequence > sequenceWhenPast) restarted = true;
                if (sequenceWhenPast is not null) shortest = Math.Min(shortest, length);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
            await checkpointer.StopAsync(CancellationToken.None);
        }
        Assert.NotNull(sequenceWhenPast);
        Assert.True(restarted, $"a WAL past its restart length must be restarted while ingestion goes on (it reached {largest / 1_000_000} MB)");
        // The restarted log is rewritten inside the file: no commit cut the file back (a truncation inside a commit held the writer for ~280 ms).
        Assert.True(shortest > SqliteConnectionFactory.LogRestartBytes, $"the WAL file was cut back to {shortest / 1_000_000} MB while the writers wrote");
        // What decides the next restart is the log's own length, not the file's.
        await using (var connection = await connections.OpenAsync(CancellationToken.None))
        await using (var checkpoint = connection.CreateCommand())
            connections.PassiveCheckpoint(checkpoint);
        Assert.True(connections.LogBytes < connections.WalBytes(), $"log {connections.LogBytes} B, file {connections.WalBytes()} B");
    }

    private static (long Length, uint Sequence) Header(string wal)
    {
        using var file = new FileStream(wal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[32];
        return file.Read(header) < 32 ? (file.Length, 0) : (file.Length, BinaryPrimitives.ReadUInt32BigEndian(header[12..]));
    }

    // About the size of a container exit with its raw JSON, so the WAL grows as it does in production.
    private static readonly string Raw = "{\"log\":\"" + new string('x', 1500) + "\"}";

    internal static List<EventRecord> Batch(int writer, int batch) => [.. Enumerable.Range(0, 500).Select(i =>
    {
        var at = DateTimeOffset.UnixEpoch.AddYears(56).AddSeconds(batch * 500 + i);
        var instance = $"docker/wal/{writer}-{i % 250}";
        return new EventRecord
        {
            Kind = "container", Source = "docker", Format = "test", Entry = "die", InstanceKey = instance, InstanceName = instance,
            OccurredAt = at, ReceivedAt = at, LastSeenAt = at, Category = "exit.app-error", Severity = "error", IsFailure = true,
            RawJson = Raw, DedupeKey = $"{writer}-{batch}-{i}",
        };
    })];
}
