using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data.Sqlite;
using OpsConsole.Features.Records;

namespace OpsConsole.Tests.Data;

/// <summary>
/// The SQLite writer decides instance states from what it remembers of the stored rows; a row another connection
/// changed must be read again, or the memory would decide against what the file says.
/// </summary>
public sealed class SqliteWriterMemoryTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-05-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    internal static EventRecord Record(string instance, int second, bool failure) => new()
    {
        Kind = "container", Source = "docker", Format = "test", Entry = "die", InstanceKey = instance, InstanceName = instance,
        OccurredAt = Start.AddSeconds(second), ReceivedAt = Start, LastSeenAt = Start.AddSeconds(second),
        Category = failure ? "exit.app-error" : "none", Severity = failure ? "error" : "info", IsFailure = failure,
        RawJson = "{}", DedupeKey = $"{instance}-{second}",
    };

    private static async Task<(bool Failing, long LastSeenAt)> StateAsync(MigratedDatabase database, string instance)
    {
        await using var db = database.Context();
        var state = await db.InstanceStates.AsNoTracking().SingleAsync(s => s.InstanceKey == instance);
        return (state.IsFailing, state.LastSeenAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task A_state_row_changed_by_another_connection_is_read_again_before_the_next_batch_is_merged()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        await store.WriteAsync([Record("docker/h/a", 10, failure: true)], CancellationToken.None);

        // Another connection moves the state's time past the next record's, as a rebuild elsewhere could.
        var later = Start.AddSeconds(100).ToUnixTimeMilliseconds();
        await using (var other = new SqliteConnection(database.ConnectionString))
        {
            await other.OpenAsync();
            await using var update = other.CreateCommand();
            update.CommandText = $"UPDATE instance_states SET LastSeenAt = {later} WHERE InstanceKey = 'docker/h/a'";
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        // Older than the stored state: it must not end the failure (a remembered time of 10 s would let it).
        await store.WriteAsync([Record("docker/h/a", 20, failure: false)], CancellationToken.None);
        Assert.Equal((true, later), await StateAsync(database, "docker/h/a"));

        // Newer than the stored state: it does.
        await store.WriteAsync([Record("docker/h/a", 200, failure: false)], CancellationToken.None);
        Assert.Equal((false, Start.AddSeconds(200).ToUnixTimeMilliseconds()), await StateAsync(database, "docker/h/a"));
    }

    [Fact]
    public async Task A_remembered_state_decides_as_its_stored_row_would_whose_time_is_whole_milliseconds()
    {
        await using var database = await MigratedDatabase.CreateAsync();
        using var store = new SqliteRecordStore(new SqliteConnectionFactory(database.ConnectionString));
        var failure = Record("docker/h/b", 10, failure: true);
        failure.OccurredAt = failure.OccurredAt.AddTicks(9_000);
        await store.WriteAsync([failure], CancellationToken.None);

        // 0.4 ms before the failure by the source's clock, but after it as stored (10.000 s): the row says it is newer.
        var running = Record("docker/h/b", 10, failure: false);
        running.OccurredAt = running.OccurredAt.AddTicks(5_000);
        running.DedupeKey += "-running";
        await store.WriteAsync([running], CancellationToken.None);
        Assert.False((await StateAsync(database, "docker/h/b")).Failing);
    }
}
