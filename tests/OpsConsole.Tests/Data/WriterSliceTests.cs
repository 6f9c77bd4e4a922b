using Microsoft.Data.Sqlite;
using OpsConsole.Data.Sqlite;

namespace OpsConsole.Tests.Data;

/// <summary>
/// Background runs (reclassification, state rebuilds) write in slices, and ingestion goes first: a request that queues
/// for the writer during a slice commits before the run's next step, whatever time is left in the slice.
/// </summary>
public sealed class WriterSliceTests
{
    [Fact]
    public async Task An_ingest_queued_during_a_slice_commits_before_the_next_step_of_the_run()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var reader = new SqliteConnection(database.ConnectionString);
        await reader.OpenAsync();
        long Committed()
        {
            using var count = reader.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM records WHERE InstanceKey = 'docker/h/live'";
            return (long)count.ExecuteScalar()!;
        }

        // What each step of the run found committed; the first step queues an ingest behind the slice it runs in and
        // lasts the minimum a slice does before it gives way.
        var seen = new List<long>();
        Task? ingest = null;
        await store.InSlicesAsync("rebuild", 3, (_, i, _) =>
        {
            if (i == 0)
            {
                ingest = store.WriteAsync([SqliteWriterMemoryTests.Record("docker/h/live", 1, failure: true)], CancellationToken.None);
                Thread.Sleep(SqliteRecordStore.MinimumSlice);
            }
            seen.Add(Committed());
        }, CancellationToken.None);
        await ingest!;

        // The other two steps take microseconds, well within one slice's time: only the queued request ended the first slice there.
        Assert.Equal([0L, 1L, 1L], seen);
    }

    [Fact]
    public async Task The_checkpointer_queues_for_the_writer_behind_an_ingest_that_queued_first()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var reader = new SqliteConnection(database.ConnectionString);
        await reader.OpenAsync();

        // During a slice: an ingest queues for the writer, then the checkpointer's thread does (it blocks, on a thread of its own).
        Task? ingest = null;
        Task<long>? checkpoint = null;
        await store.InSlicesAsync("rebuild", 1, (_, _, _) =>
        {
            ingest = store.WriteAsync([SqliteWriterMemoryTests.Record("docker/h/first", 1, failure: true)], CancellationToken.None);
            checkpoint = Task.Factory.StartNew(() => SqliteRecordStore.BetweenWrites(SqliteRecordStore.Operations.Checkpoint, () =>
            {
                using var count = reader.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM records WHERE InstanceKey = 'docker/h/first'";
                return (long)count.ExecuteScalar()!;
            }, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            // Long enough for the thread to be waiting: the order of the queue is what is checked, not this time.
            Thread.Sleep(200);
        }, CancellationToken.None);
        await ingest!;

        // First come, first served: the ingest committed before the checkpointer held the writer.
        Assert.Equal(1L, await checkpoint!);
    }

    [Fact]
    public async Task A_checkpoint_that_got_the_writer_first_lets_an_ingest_queued_behind_it_go_first()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var reader = new SqliteConnection(database.ConnectionString);
        await reader.OpenAsync();

        // During a slice: the checkpointer's thread queues for the writer, then an ingest does (behind it).
        Task? ingest = null;
        Task<long>? checkpoint = null;
        await store.InSlicesAsync("rebuild", 1, (_, _, _) =>
        {
            checkpoint = Task.Factory.StartNew(() => SqliteRecordStore.BetweenWrites(SqliteRecordStore.Operations.Checkpoint, () =>
            {
                using var count = reader.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM records WHERE InstanceKey = 'docker/h/behind'";
                return (long)count.ExecuteScalar()!;
            }, CancellationToken.None, WalCheckpointer.YieldsToIngest), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            // Long enough for the thread to be waiting: the order of the queue is what is checked, not this time.
            Thread.Sleep(200);
            ingest = store.WriteAsync([SqliteWriterMemoryTests.Record("docker/h/behind", 1, failure: true)], CancellationToken.None);
            Assert.True(SqliteRecordStore.IngestQueued);
        }, CancellationToken.None);
        await ingest!;

        // The checkpoint got the writer first, saw the ingest waiting and queued again behind it.
        Assert.Equal(1L, await checkpoint!);
    }

    [Fact]
    public async Task Without_yields_a_checkpoint_that_got_the_writer_first_holds_it_first()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await using var reader = new SqliteConnection(database.ConnectionString);
        await reader.OpenAsync();

        Task? ingest = null;
        Task<long>? checkpoint = null;
        await store.InSlicesAsync("rebuild", 1, (_, _, _) =>
        {
            checkpoint = Task.Factory.StartNew(() => SqliteRecordStore.BetweenWrites(SqliteRecordStore.Operations.Checkpoint, () =>
            {
                using var count = reader.CreateCommand();
                count.CommandText = "SELECT COUNT(*) FROM records WHERE InstanceKey = 'docker/h/second'";
                return (long)count.ExecuteScalar()!;
            }, CancellationToken.None), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            Thread.Sleep(200);
            ingest = store.WriteAsync([SqliteWriterMemoryTests.Record("docker/h/second", 1, failure: true)], CancellationToken.None);
        }, CancellationToken.None);
        await ingest!;

        // First come, first served: the ingest queued second and committed after the checkpoint's work.
        Assert.Equal(0L, await checkpoint!);
    }
}
