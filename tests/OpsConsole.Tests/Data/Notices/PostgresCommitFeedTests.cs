using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Data.Postgres;
using OpsConsole.Features.Records;
using OpsConsole.Tests.Data.Postgres;

namespace OpsConsole.Tests.Data.Notices;

/// <summary>
/// The record store's notices to other nodes on a real PostgreSQL: sent as a NOTIFY inside the write's own transaction
/// (no second transaction per write), once per commit, and still heard by the writing node's own listeners.
/// </summary>
public sealed class PostgresCommitFeedTests(MigratedPostgres database) : IClassFixture<MigratedPostgres>
{
    [PostgresFact]
    public async Task The_store_sends_its_notice_inside_the_write_transaction_and_a_repeat_sends_none()
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        // The feed is not started: nothing but the store's own transaction can send the notice.
        using var feed = new PostgresCommitFeed(database.ConnectionString, dataSource, NullLogger<PostgresCommitFeed>.Instance);
        using var store = new PostgresRecordStore(dataSource, commits: feed);
        await using var listener = await ListenAsync(database.ConnectionString);

        var stored = await store.WriteAsync([Record("a", "k1"), Record("b", "k2")], CancellationToken.None);
        var heard = await HeardAsync(listener);
        await store.WriteAsync([Record("a", "k1")], CancellationToken.None);
        var repeat = await HeardAsync(listener);

        var notice = Assert.Single(heard);
        Assert.Equal((int)CommitKinds.Records, notice.GetProperty("Kinds").GetInt32());
        Assert.Equal(stored.Min(s => s.Id), notice.GetProperty("From").GetInt64());
        Assert.Equal(stored.Max(s => s.Id), notice.GetProperty("HighWater").GetInt64());
        Assert.Equal(["ci/a", "ci/b"], notice.GetProperty("InstanceKeys").EnumerateArray().Select(k => k.GetString()).Order());
        Assert.Empty(repeat);
    }

    [PostgresFact]
    public async Task A_console_write_goes_out_once_and_its_own_node_hears_it_with_the_records()
    {
        using var factory = await PostgresConsoleFactory.StartAsync([]);
        var local = new List<CommitNotice>();
        using var subscription = factory.Services.GetRequiredService<ICommitFeed>().Subscribe(n =>
        {
            if (n.InstanceKeys?.Contains("ci/once") == true) lock (local) local.Add(n);
        });
        await using var listener = await ListenAsync(factory.ConnectionString);

        var stored = await factory.Services.GetRequiredService<IRecordStore>().WriteAsync([Record("once", "once-1")], CancellationToken.None);
        var heard = (await HeardAsync(listener)).Where(n => n.GetProperty("InstanceKeys").ToString().Contains("ci/once", StringComparison.Ordinal));

        Assert.Equal(stored[0].Id, Assert.Single(heard).GetProperty("HighWater").GetInt64());
        var own = Assert.Single(local);
        Assert.Equal(stored[0].Id, Assert.Single(own.Records!).Id);
    }

    private static async Task<NpgsqlConnection> ListenAsync(string connectionString)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var listen = new NpgsqlCommand($"LISTEN {PostgresCommitFeed.Channel}", connection);
        await listen.ExecuteNonQueryAsync();
        return connection;
    }

    /// <summary>The notices that arrive on <paramref name="listener"/> until none has come for a second.</summary>
    private static async Task<List<JsonElement>> HeardAsync(NpgsqlConnection listener)
    {
        var heard = new List<JsonElement>();
        void Add(object? sender, NpgsqlNotificationEventArgs e) => heard.Add(JsonDocument.Parse(e.Payload).RootElement.Clone());
        listener.Notification += Add;
        while (await listener.WaitAsync(TimeSpan.FromSeconds(1))) { }
        listener.Notification -= Add;
        return heard;
    }

    private static EventRecord Record(string instance, string dedupeKey)
    {
        var at = DateTimeOffset.UtcNow;
        return new()
        {
            Kind = "container", Source = "ci", Format = "simple", Entry = "terminated", InstanceKey = $"ci/{instance}", InstanceName = instance,
            ExitCode = 1, Reason = "Error", OccurredAt = at, ReceivedAt = at, LastSeenAt = at,
            Category = "exit.app-error", Severity = "error", IsFailure = true, DedupeKey = dedupeKey, RawJson = "{}",
        };
    }
}
