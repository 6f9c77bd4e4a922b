using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// EF Core statements that write outside a save (ExecuteUpdate, ExecuteDelete, raw SQL) run under the record store's
/// write lock, as saves do (<see cref="OpsDbContext.SaveChangesAsync(bool, CancellationToken)"/>): an access key's
/// last use, a silence ended or an acknowledgement removed would otherwise take SQLite's write lock beside an ingest
/// transaction. The statement is run here, inside the lock, and EF Core is given its result, so the lock is released
/// however it ends. Statements in a transaction (migrations) and those of a save already holding the lock pass through.
/// </summary>
internal sealed class EfWriteInterceptor : DbCommandInterceptor
{
    public override async ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        Queues(command, eventData, result)
            ? InterceptionResult<int>.SuppressWithResult(await SqliteRecordStore.BesideWritesAsync(() => command.ExecuteNonQueryAsync(cancellationToken), cancellationToken))
            : result;

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        Queues(command, eventData, result) ? InterceptionResult<int>.SuppressWithResult(SqliteRecordStore.BesideWrites(command.ExecuteNonQuery)) : result;

    private static bool Queues(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
        !result.HasResult && command.Transaction is null && eventData.Context is not OpsDbContext { SavingBesideWrites: true };
}
