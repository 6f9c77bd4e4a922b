using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace OpsConsole.Tests.Data;

/// <summary>
/// What the database says it will do for a query, reduced to the questions the scale tests ask: which index a
/// table is read through, whether a table is scanned whole, whether rows are sorted after reading. On SQLite this
/// reads <c>EXPLAIN QUERY PLAN</c>; on PostgreSQL <c>EXPLAIN</c> ("Index Scan using … Index Cond", "Seq Scan on",
/// "Sort Key"), asked with sequential scans priced out: the test databases are empty, where a scan is always
/// cheapest, and the question is whether an index can serve the query at all, as it must at millions of rows.
/// </summary>
internal sealed record QueryPlan(IReadOnlyList<string> Steps, bool Postgres = false)
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
        var postgres = command.Connection is Npgsql.NpgsqlConnection;
        if (postgres)
        {
            await using var settings = command.Connection.CreateCommand();
            settings.CommandText = "SET enable_seqscan = off; SET enable_bitmapscan = off";
            await settings.ExecuteNonQueryAsync();
        }
        command.CommandText = (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + command.CommandText;
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        // PostgreSQL quotes mixed-case index names; the questions below name them bare.
        while (await reader.ReadAsync()) steps.Add(postgres ? reader.GetString(0).Replace("\"", "", StringComparison.Ordinal).Trim() : reader.GetString(3));
        return new QueryPlan(steps, postgres);
    }

    /// <summary>A step seeks into <paramref name="index"/> (a range or equality search, not a walk of the whole index).</summary>
    public bool Searches(string index) => Postgres
        ? NodesOf(index).Any(node => node.Skip(1).Any(line => line.StartsWith("Index Cond:", StringComparison.Ordinal)))
        : Steps.Any(s => s.StartsWith("SEARCH ", StringComparison.Ordinal) && s.Contains($"INDEX {index} ", StringComparison.Ordinal));

    /// <summary>A step reads <paramref name="index"/> in its order (a seek or a walk that the LIMIT stops early).</summary>
    public bool ReadsThrough(string index) => Postgres
        ? NodesOf(index).Any()
        : Steps.Any(s => s.Contains($"INDEX {index} ", StringComparison.Ordinal) || s.EndsWith($"INDEX {index}", StringComparison.Ordinal));

    /// <summary>A table is read row by row from start to end, with no index at all.</summary>
    public bool ScansATable => Postgres
        ? Steps.Any(s => s.Contains("Seq Scan on ", StringComparison.Ordinal))
        : Steps.Any(s => s.StartsWith("SCAN ", StringComparison.Ordinal) && !s.Contains(" INDEX ", StringComparison.Ordinal));

    /// <summary>
    /// The rows are sorted after reading (the order is not the index's). On PostgreSQL a Merge Append, which merges the
    /// day partitions of records each read in index order, names a sort key too but sorts nothing.
    /// </summary>
    public bool SortsAfterReading => Postgres
        ? Steps.Select((step, i) => (step, i)).Any(s => s.step.StartsWith("Sort Key:", StringComparison.Ordinal)
            && !Steps.Take(s.i).Last(line => !line.Contains(':', StringComparison.Ordinal) || line.StartsWith("->", StringComparison.Ordinal)).Contains("Merge Append", StringComparison.Ordinal))
        : Steps.Any(s => s.Contains("TEMP B-TREE FOR ORDER BY", StringComparison.Ordinal));

    /// <summary>
    /// The rows are sorted after reading, and not merely within runs the index already orders (PostgreSQL's
    /// incremental sort by a tie-breaker, "Presorted Key", which a LIMIT stops at the page).
    /// </summary>
    public bool SortsEverythingRead => SortsAfterReading && !Steps.Any(s => s.StartsWith("Presorted Key:", StringComparison.Ordinal));

    /// <summary>PostgreSQL plan nodes that read <paramref name="index"/>: the node's line and its detail lines up to the next node.</summary>
    private IEnumerable<List<string>> NodesOf(string index)
    {
        for (var i = 0; i < Steps.Count; i++)
        {
            var step = Steps[i];
            if (!Uses(step, index)) continue;
            var node = new List<string> { step };
            for (var j = i + 1; j < Steps.Count && !Steps[j].StartsWith("->", StringComparison.Ordinal); j++) node.Add(Steps[j]);
            yield return node;
        }
    }

    /// <summary>
    /// A plan line reads <paramref name="index"/>, or on a day partition of records the partition's copy of it, which
    /// PostgreSQL names records_pYYYYMMDD_&lt;columns&gt;_idx (IX_records_Category_Id: records_p20261127_category_id_idx).
    /// </summary>
    private static bool Uses(string step, string index)
    {
        if (step.Contains($"using {index} ", StringComparison.Ordinal) || step.Contains($"Index Scan on {index} ", StringComparison.Ordinal)) return true;
        const string prefix = "IX_records_";
        return index.StartsWith(prefix, StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(step,
            $@"using records_p\d{{8}}_{index[prefix.Length..].ToLowerInvariant()}_idx ");
    }

    public override string ToString() => string.Join(Environment.NewLine, Steps);
}
