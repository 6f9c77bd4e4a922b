using System.Data.Common;

namespace OpsConsole.Data;

/// <summary>The store's start-up reads, in SQL both databases run as written (named <c>@</c> parameters, bare identifiers).</summary>
internal static class RecordStoreReads
{
    private const string FailuresPerHourSql = "SELECT Hour, Failures FROM failure_hours WHERE Hour >= @since AND Failures > 0";

    public static async Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DbConnection connection, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, FailuresPerHourSql, ("@since", since.ToUnixTimeMilliseconds() / 3_600_000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var perHour = new List<(long, int)>();
        while (await reader.ReadAsync(cancellationToken)) perHour.Add((reader.GetInt64(0), checked((int)reader.GetInt64(1))));
        return perHour;
    }

    /// <summary>A command with named parameters that only those the SQL names are bound (Npgsql refuses extra ones).</summary>
    public static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            if (!sql.Contains(name, StringComparison.Ordinal)) continue;
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
