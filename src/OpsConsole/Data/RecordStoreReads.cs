using System.Data.Common;

namespace OpsConsole.Data;

/// <summary>The store's start-up reads, in SQL both databases run as written (named <c>@</c> parameters, bare identifiers).</summary>
internal static class RecordStoreReads
{
    /// <summary>Sender sightings read at start-up at most: the newest of the last hour (the figure is a display, the start-up must stay bounded).</summary>
    public const int MaxPrimedSightings = 50_000;

    public const string SendersInWindowSql =
        "SELECT Source, Kind, InstanceKey, Identity, ReceivedAt FROM records WHERE ReceivedAt >= @since ORDER BY ReceivedAt DESC LIMIT @max";

    private const string FailuresPerHourSql = "SELECT Hour, Failures FROM failure_hours WHERE Hour >= @since AND Failures > 0";

    public static async Task<IReadOnlyList<(long Hour, int Failures)>> FailuresPerHourAsync(DbConnection connection, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var command = Command(connection, FailuresPerHourSql, ("@since", since.ToUnixTimeMilliseconds() / 3_600_000));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var perHour = new List<(long, int)>();
        while (await reader.ReadAsync(cancellationToken)) perHour.Add((reader.GetInt64(0), checked((int)reader.GetInt64(1))));
        return perHour;
    }

    public static async Task<IReadOnlyList<SenderSighting>> SendersAsync(DbConnection connection, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var rows = new List<SenderSighting>();
        await using var command = Command(connection, SendersInWindowSql, ("@since", since.ToUnixTimeMilliseconds()), ("@max", MaxPrimedSightings));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new SenderSighting(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
        return rows;
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
