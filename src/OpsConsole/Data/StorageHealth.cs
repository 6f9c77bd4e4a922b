using System.Data.Common;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace OpsConsole.Data;

/// <summary>
/// Whether the store can be written. A write that fails for a storage reason (disk full, file read-only,
/// I/O error) marks it failing. It is healthy again after the next committed write, or — so a console taken
/// out of rotation still recovers without traffic — when a probe write succeeds once the Retry-After period has
/// passed (a small probe can fit where the refused batch did not, so it is not trusted sooner).
/// <paramref name="probeWrite"/> is the store's own small committed write that allocates space.
/// </summary>
public sealed class StorageHealth(Func<CancellationToken, Task> probeWrite, TimeProvider clock)
{
    // SQLite primary result codes that mean the storage, not the request, is at fault.
    private const int Busy = 5, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CantOpen = 14;

    // PostgreSQL error classes of the same kind: 53 insufficient resources (disk full, out of memory, too many
    // connections), 58 system errors (I/O), 57P0x the server shutting down or starting; 25006 a read-only transaction.
    private static bool IsStorageState(string state) =>
        state.StartsWith("53", StringComparison.Ordinal) || state.StartsWith("58", StringComparison.Ordinal) ||
        state.StartsWith("57P0", StringComparison.Ordinal) || state == "25006";

    /// <summary>How long after a refused write readiness stays unhealthy before a probe may clear it.</summary>
    public static readonly TimeSpan HoldAfterFailure = TimeSpan.FromSeconds(30);

    private volatile string? _problem;
    private DateTimeOffset _lastFailure;

    public string? Problem => _problem;

    /// <summary>
    /// The storage fault inside <paramref name="exception"/> (EF wraps the driver's), or null for any other error: on
    /// PostgreSQL also a server that cannot be reached at all.
    /// </summary>
    public static DbException? StorageFault(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SqliteException { SqliteErrorCode: Busy or ReadOnly or IoError or Corrupt or Full or CantOpen } sqlite) return sqlite;
            if (e is PostgresException postgres) return IsStorageState(postgres.SqlState) ? postgres : null;
            if (e is NpgsqlException { InnerException: SocketException or IOException or TimeoutException } unreachable) return unreachable;
        }
        return null;
    }

    public void ReportFailure(DbException fault)
    {
        _lastFailure = clock.GetUtcNow();
        _problem = $"Writes to the database fail: {fault.Message}";
    }

    public void ReportSuccess() => _problem = null;

    /// <summary>While failing, tries a small committed write that allocates pages; clears the failure when it works.</summary>
    public async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        if (_problem is null || clock.GetUtcNow() - _lastFailure < HoldAfterFailure) return _problem;
        try
        {
            await probeWrite(cancellationToken);
            _problem = null;
        }
        catch (DbException ex) when (StorageFault(ex) is not null)
        {
            _problem = $"Writes to the database fail: {ex.Message}";
        }
        return _problem;
    }
}
