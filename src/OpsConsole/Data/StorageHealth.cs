using Microsoft.Data.Sqlite;
using OpsConsole.Data.Sqlite;

namespace OpsConsole.Data;

/// <summary>
/// Whether the store can be written. A write that fails for a storage reason (disk full, file read-only,
/// I/O error) marks it failing. It is healthy again after the next committed write, or — so a console taken
/// out of rotation still recovers without traffic — when a probe write succeeds once the Retry-After period has
/// passed (a small probe can fit where the refused batch did not, so it is not trusted sooner).
/// </summary>
public sealed class StorageHealth(SqliteConnectionFactory connections, TimeProvider clock)
{
    // SQLite primary result codes that mean the storage, not the request, is at fault.
    private const int Busy = 5, ReadOnly = 8, IoError = 10, Corrupt = 11, Full = 13, CantOpen = 14;

    /// <summary>How long after a refused write readiness stays unhealthy before a probe may clear it.</summary>
    public static readonly TimeSpan HoldAfterFailure = TimeSpan.FromSeconds(30);

    private volatile string? _problem;
    private DateTimeOffset _lastFailure;

    public string? Problem => _problem;

    /// <summary>The storage fault inside <paramref name="exception"/> (EF wraps SQLite's), or null for any other error.</summary>
    public static SqliteException? StorageFault(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SqliteException { SqliteErrorCode: Busy or ReadOnly or IoError or Corrupt or Full or CantOpen } sqlite) return sqlite;
        return null;
    }

    public void ReportFailure(SqliteException fault)
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
            await using var connection = await connections.OpenAsync(cancellationToken);
            await using var probe = connection.CreateCommand();
            probe.CommandText = """
                BEGIN IMMEDIATE;
                CREATE TABLE IF NOT EXISTS storage_probe (Data BLOB);
                INSERT INTO storage_probe VALUES (zeroblob(65536));
                DELETE FROM storage_probe;
                COMMIT;
                """;
            await probe.ExecuteNonQueryAsync(cancellationToken);
            _problem = null;
        }
        catch (SqliteException ex) when (StorageFault(ex) is not null)
        {
            _problem = $"Writes to the database fail: {ex.Message}";
        }
        return _problem;
    }
}
