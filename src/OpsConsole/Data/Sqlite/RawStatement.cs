using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// A statement prepared once on the writer connection and bound by position. Microsoft.Data.Sqlite looks each
/// parameter up by name and walks its command plumbing on every execution; on the ingest path that was half the time.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;

    public RawStatement(SqliteConnection connection, string sql)
    {
        _db = connection.Handle!;
        SqliteException.ThrowExceptionForRC(raw.sqlite3_prepare_v2(_db, sql, out _statement), _db);
    }

    /// <summary>Binds parameter <paramref name="index"/> (from 1); null binds SQL NULL.</summary>
    public void Bind(int index, string? value) =>
        Check(value is null ? raw.sqlite3_bind_null(_statement, index) : raw.sqlite3_bind_text(_statement, index, value));

    /// <summary>Binds UTF-8 text (SQLite copies it); an empty span binds the empty string, not NULL.</summary>
    public void Bind(int index, ReadOnlySpan<byte> utf8) =>
        Check(utf8.IsEmpty ? raw.sqlite3_bind_text(_statement, index, "") : raw.sqlite3_bind_text(_statement, index, utf8));

    public void Bind(int index, long? value) =>
        Check(value is { } v ? raw.sqlite3_bind_int64(_statement, index, v) : raw.sqlite3_bind_null(_statement, index));

    public void Bind(int index, bool value) => Check(raw.sqlite3_bind_int(_statement, index, value ? 1 : 0));

    /// <summary>Runs a statement that returns no rows; gives the number of rows it changed.</summary>
    public int Execute()
    {
        var rc = raw.sqlite3_step(_statement);
        raw.sqlite3_reset(_statement);
        if (rc is not (raw.SQLITE_DONE or raw.SQLITE_ROW)) SqliteException.ThrowExceptionForRC(rc, _db);
        return raw.sqlite3_changes(_db);
    }

    /// <summary>Steps to the next row; false (and reset) when there is none. Call <see cref="Reset"/> when stopping early.</summary>
    public bool Read()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW) return true;
        raw.sqlite3_reset(_statement);
        if (rc != raw.SQLITE_DONE) SqliteException.ThrowExceptionForRC(rc, _db);
        return false;
    }

    public long Long(int column) => raw.sqlite3_column_int64(_statement, column);

    public bool IsNull(int column) => raw.sqlite3_column_type(_statement, column) == raw.SQLITE_NULL;

    public string? Text(int column) => IsNull(column) ? null : raw.sqlite3_column_text(_statement, column).utf8_to_string();

    public void Reset() => raw.sqlite3_reset(_statement);

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK) SqliteException.ThrowExceptionForRC(rc, _db);
    }

    public void Dispose() => _statement.Dispose();
}
