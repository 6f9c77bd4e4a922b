using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace OpsConsole.Features.Cluster;

/// <summary>
/// Leases as PostgreSQL session-level advisory locks, one dedicated connection per job. A node that dies loses its locks
/// with its connection: at once when its process ends (the socket closes), within about half a minute when its machine
/// goes (the server's TCP keepalives). The holder checks its connection every few seconds and gives the job up the
/// moment it breaks, since the server may already have handed the lock to another node.
/// </summary>
public sealed class PostgresClusterLease(string connectionString, ILogger<PostgresClusterLease> logger) : IClusterLease, IDisposable
{
    /// <summary>How often a waiting node asks for a lock again, and how often a holder checks its connection.</summary>
    internal static readonly TimeSpan Poll = TimeSpan.FromSeconds(2);

    private readonly NpgsqlDataSource _dedicated = ClusterConnections.Dedicated(connectionString, "opsconsole-lease");

    public async Task<Lease> AcquireAsync(string job, CancellationToken cancellationToken)
    {
        var key = LockKey(job);
        while (true)
        {
            var connection = await ClusterConnections.OpenAsync(_dedicated, cancellationToken);
            try
            {
                while (true)
                {
                    await using (var attempt = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection) { Parameters = { new() { Value = key } } })
                        if ((bool)(await attempt.ExecuteScalarAsync(cancellationToken))!)
                            return Hold(job, connection);
                    await Task.Delay(Poll, cancellationToken);
                }
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Waiting for the lease of {Job} failed; trying again", job);
                await connection.DisposeAsync();
                await Task.Delay(Poll, cancellationToken);
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
    }

    private Lease Hold(string job, NpgsqlConnection connection)
    {
        var lost = new CancellationTokenSource();
        var released = new CancellationTokenSource();
        var watch = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    await Task.Delay(Poll, released.Token);
                    await using var check = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)Poll.TotalSeconds * 2 };
                    await check.ExecuteScalarAsync(released.Token);
                }
            }
            catch (Exception ex) when (!released.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The connection holding the lease of {Job} broke", job);
                await lost.CancelAsync();
            }
            catch (OperationCanceledException)
            {
                // Given up by its holder.
            }
        });
        return new Lease(lost.Token, async () =>
        {
            await released.CancelAsync();
            await watch;
            // Closing the session releases its advisory locks.
            await connection.DisposeAsync();
            lost.Dispose();
            released.Dispose();
        });
    }

    public void Dispose() => _dedicated.Dispose();

    /// <summary>A job's lock key: stable across nodes and versions, and unlike the write path's lock.</summary>
    internal static long LockKey(string job) => BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("opsconsole-lease:" + job)), 0);
}

/// <summary>Connections the cluster keeps open for long (leases, LISTEN): unpooled, and dropped by the server soon after their node dies.</summary>
internal static class ClusterConnections
{
    public static NpgsqlDataSource Dedicated(string connectionString, string applicationName)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString)
        {
            Pooling = false,
            ApplicationName = applicationName,
            // The client notices a dead server within seconds...
            KeepAlive = 5,
        };
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            // ...and the server a dead client within about half a minute, so its locks go to another node.
            await using var keepalives = new NpgsqlCommand(
                "SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3", connection);
            await keepalives.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}
