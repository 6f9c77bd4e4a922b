using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Tests.Data;

/// <summary>
/// What the database says it will do for a query, reduced to the questions the scale tests ask: which index a
/// table is read through, whether a table is scanned whole, whether rows are sorted after reading. This reads
/// SQLite's <c>EXPLAIN QUERY PLAN</c>; a PostgreSQL store answers the same questions from <c>EXPLAIN</c>
/// ("Index Scan using", "Seq Scan on", "Sort").
/// </summary>
internal sealed record QueryPlan(IReadOnlyList<string> Steps)
{
    public static async Task<QueryPlan> OfAsync(IQueryable query)
    {
        await using var command = query.CreateDbCommand();
        return await ExplainAsync(command);
    }

    public static async Task<QueryPlan> OfAsync(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return await ExplainAsync(command);
    }

    private static async Task<QueryPlan> ExplainAsync(DbCommand command)
    {
        if (command.Connection!.State != System.Data.ConnectionState.Open) await command.Connection.OpenAsync();
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) steps.Add(reader.GetString(3));
        return new QueryPlan(steps);
    }

    /// <summary>A step seeks into <paramref name="index"/> (a range or equality search, not a walk of the whole index).</summary>
    public bool Searches(string index) =>
        Steps.Any(s => s.StartsWith("SEARCH ", StringComparison.Ordinal) && s.Contains($"INDEX {index} ", StringComparison.Ordinal));

    /// <summary>A step reads <paramref name="index"/> in its order (a seek or a walk that the LIMIT stops early).</summary>
    public bool ReadsThrough(string index) =>
        Steps.Any(s => s.Contains($"INDEX {index} ", StringComparison.Ordinal) || s.EndsWith($"INDEX {index}", StringComparison.Ordinal));

    /// <summary>A table is read row by row from start to end, with no index at all.</summary>
    public bool ScansATable => Steps.Any(s => s.StartsWith("SCAN ", StringComparison.Ordinal) && !s.Contains(" INDEX ", StringComparison.Ordinal));

    /// <summary>The rows are sorted after reading (the order is not the index's).</summary>
    public bool SortsAfterReading => Steps.Any(s => s.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal));

    public override string ToString() => string.Join(Environment.NewLine, Steps);
}
