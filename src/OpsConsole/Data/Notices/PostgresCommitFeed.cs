using System.Text.Json;
using System.Threading.Channels;
using Npgsql;
using OpsConsole.Features.Cluster;
using OpsConsole.Infrastructure;

namespace OpsConsole.Data.Notices;

/// <summary>
/// Commit notices between the nodes of a PostgreSQL cluster: each node delivers its own notices in process at once and
/// sends them with NOTIFY (ids and keys only, far below the 8 kB payload limit); a dedicated connection LISTENs for the
/// other nodes'. The record store sends its NOTIFY inside the transaction it announces (<see cref="NotifyCommand"/>):
/// PostgreSQL delivers it at that commit, in commit order, and a rolled-back write announces nothing, without a second
/// transaction (and WAL flush) per write. Other writers publish after their commit. After the listening connection is
/// lost and back, listeners get one notice naming every change kind and the records committed since the last notice
/// heard, so nothing missed meanwhile stays missed.
/// </summary>
public sealed class PostgresCommitFeed(string connectionString, NpgsqlDataSource dataSource, ILogger<PostgresCommitFeed> logger)
    : BackgroundService, ICommitFeed
{
    internal const string Channel = "opsconsole_commits";

    private readonly string _node = Guid.NewGuid().ToString("N")[..12];
    private readonly ListenerList<CommitNotice> _listeners = new(logger, "commit");
    private readonly Channel<string> _outgoing = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private readonly NpgsqlDataSource _dedicated = ClusterConnections.Dedicated(connectionString, "opsconsole-listen");
    private long _cursor;

    public void Publish(CommitNotice notice)
    {
        Deliver(notice);
        _outgoing.Writer.TryWrite(Payload(notice));
    }

    public IDisposable Subscribe(Action<CommitNotice> listener) => _listeners.Add(listener);

    /// <summary>
    /// This feed for a writer whose notices travel in its own transactions (<see cref="NotifyCommand"/>): publishing
    /// only tells this node's listeners.
    /// </summary>
    public ICommitFeed SentWithCommits => new ThisNode(this);

    /// <summary>The NOTIFY of <paramref name="notice"/>, for the transaction that commits what it announces.</summary>
    internal NpgsqlBatchCommand NotifyCommand(CommitNotice notice) =>
        new("SELECT pg_notify($1, $2)") { Parameters = { new NpgsqlParameter<string> { TypedValue = Channel }, new NpgsqlParameter<string> { TypedValue = Payload(notice) } } };

    private void Deliver(CommitNotice notice)
    {
        Heard(notice);
        _listeners.Invoke(notice);
    }

    private string Payload(CommitNotice notice) => JsonSerializer.Serialize(new Wire(_node, notice.Kinds, notice.From, notice.HighWater, notice.InstanceKeys));

    private sealed class ThisNode(PostgresCommitFeed feed) : ICommitFeed
    {
        public void Publish(CommitNotice notice) => feed.Deliver(notice);

        public IDisposable Subscribe(Action<CommitNotice> listener) => feed.Subscribe(listener);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(SendAsync(stoppingToken), ListenAsync(stoppingToken));

    /// <summary>One NOTIFY at a time, in publishing order, off the writer's path.</summary>
    private async Task SendAsync(CancellationToken stoppingToken)
    {
        await foreach (var payload in _outgoing.Reader.ReadAllAsync(stoppingToken))
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await using var notify = dataSource.CreateCommand("SELECT pg_notify($1, $2)");
                    notify.Parameters.Add(new NpgsqlParameter { Value = Channel });
                    notify.Parameters.Add(new NpgsqlParameter { Value = payload });
                    await notify.ExecuteNonQueryAsync(stoppingToken);
                    break;
                }
                catch (NpgsqlException ex) when (attempt < 5)
                {
                    logger.LogWarning(ex, "Sending a commit notice failed; trying again");
                    await Task.Delay(TimeSpan.FromSeconds(attempt), stoppingToken);
                }
                catch (NpgsqlException ex)
                {
                    // Other nodes' pages then catch up with their next notice or clock tick.
                    logger.LogError(ex, "A commit notice was not sent to the other nodes");
                    break;
                }
            }
        }
    }

    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        var listenedBefore = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await ClusterConnections.OpenAsync(_dedicated, stoppingToken);
                connection.Notification += (_, e) => Receive(e.Payload);
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                await CatchUpAsync(connection, announce: listenedBefore, stoppingToken);
                listenedBefore = true;
                while (true) await connection.WaitAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Listening for other nodes' commits failed; listening again");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>
    /// Starts the cursor at the newest record on the first LISTEN; after a reconnect, announces what was committed while
    /// this node was not listening: every kind of change, and the records after the cursor.
    /// </summary>
    private async Task CatchUpAsync(NpgsqlConnection connection, bool announce, CancellationToken cancellationToken)
    {
        await using var newest = new NpgsqlCommand("SELECT COALESCE(MAX(Id), 0) FROM records", connection);
        var highWater = (long)(await newest.ExecuteScalarAsync(cancellationToken))!;
        var cursor = Interlocked.Read(ref _cursor);
        var notice = CommitNotice.Everything(cursor, highWater > cursor ? highWater : 0);
        Heard(notice);
        if (!announce) return;
        logger.LogInformation("Listening for other nodes' commits again; catching up after record {Cursor}", cursor);
        _listeners.Invoke(notice);
    }

    private void Receive(string payload)
    {
        Wire? wire;
        try
        {
            wire = JsonSerializer.Deserialize<Wire>(payload);
        }
        catch (JsonException ex)
        {
            logger.LogWarning(ex, "A commit notice that does not parse was ignored");
            return;
        }
        if (wire is null || wire.Node == _node) return;
        var notice = new CommitNotice(wire.Kinds, wire.From, wire.HighWater, wire.InstanceKeys);
        Heard(notice);
        _listeners.Invoke(notice);
    }

    /// <summary>Moves the cursor to the newest record a notice announced.</summary>
    private void Heard(CommitNotice notice)
    {
        for (var cursor = Interlocked.Read(ref _cursor); notice.HighWater > cursor; cursor = Interlocked.Read(ref _cursor))
            if (Interlocked.CompareExchange(ref _cursor, notice.HighWater, cursor) == cursor) return;
    }

    public override void Dispose()
    {
        _dedicated.Dispose();
        base.Dispose();
    }

    /// <summary>A notice as NOTIFY carries it, with the node that sent it (a node does not hear itself twice).</summary>
    private sealed record Wire(string Node, CommitKinds Kinds, long From, long HighWater, IReadOnlyList<string>? InstanceKeys);
}
