using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpsConsole.Data.Sqlite;

/// <summary>Gives EF Core's read connections the same page cache as the write path (Database:CacheSizeMb).</summary>
internal sealed class CacheSizeInterceptor(SqliteConnectionFactory connections) : DbConnectionInterceptor
{
    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = connections.CachePragma;
        await pragma.ExecuteNonQueryAsync(cancellationToken);
    }

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var pragma = connection.CreateCommand();
        pragma.CommandText = connections.CachePragma;
        pragma.ExecuteNonQuery();
    }
}
