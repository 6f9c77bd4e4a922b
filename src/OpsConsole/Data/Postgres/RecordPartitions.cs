using System.Globalization;
using Npgsql;

namespace OpsConsole.Data.Postgres;

/// <summary>
/// The day partitions of <c>records</c> on PostgreSQL (migration PartitionRecordsByDay): one table per UTC day of
/// received time, <c>records_pYYYYMMDD</c>. Days, not months: the sizing figures (10 M records over 90 days, ~110 k a
/// day) make a day a small table, retention then keeps a record at most one day past <c>Retention:MaxAge</c> (a month
/// would keep up to a month more), and the price, one index probe per partition for a lookup by id alone, stays about
/// a hundred probes at the default 90 days.
/// </summary>
internal static class RecordPartitions
{
    public const long DayMs = 86_400_000;

    /// <summary>Days created ahead of today: retention (every 10 min, once per cluster) tops them up long before they run out.</summary>
    public const int DaysAhead = 7;

    public static long DayOf(long receivedAtMs) => Math.DivRem(receivedAtMs, DayMs, out var rest) - (rest < 0 ? 1 : 0);

    public static string Name(long day) =>
        "records_p" + DateTimeOffset.FromUnixTimeMilliseconds(day * DayMs).UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    /// <summary>Creates the partitions of <paramref name="days"/> that are missing (another node may create the same at once).</summary>
    public static async Task EnsureAsync(NpgsqlDataSource dataSource, IEnumerable<long> days, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        foreach (var day in days.Distinct())
        {
            await using var create = new NpgsqlCommand(
                $"CREATE TABLE IF NOT EXISTS {Name(day)} PARTITION OF records FOR VALUES FROM ({day * DayMs}) TO ({(day + 1) * DayMs})", connection);
            try
            {
                await create.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
            {
                // Created by another node between the check and the create.
            }
        }
    }

    /// <summary>Today and <see cref="DaysAhead"/> days after it.</summary>
    public static Task EnsureAheadAsync(NpgsqlDataSource dataSource, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = DayOf(now.ToUnixTimeMilliseconds());
        return EnsureAsync(dataSource, Enumerable.Range(0, DaysAhead + 1).Select(i => today + i), cancellationToken);
    }

    /// <summary>
    /// The partitions whose whole day lies before <paramref name="beforeMs"/>, oldest first, with whether each is still
    /// attached (a detach cut short by a crash leaves it pending or detached; retention finishes those).
    /// </summary>
    public static async Task<List<(string Name, long Day, bool Attached)>> ExpiredAsync(NpgsqlConnection connection, long beforeMs, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, i.inhrelid IS NOT NULL AND NOT i.inhdetachpending
            FROM pg_class c LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
            WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace AND c.relname ~ '^records_p[0-9]{8}$'
            ORDER BY c.relname
            """, connection);
        var expired = new List<(string, long, bool)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var name = reader.GetString(0);
            var day = new DateTimeOffset(DateTime.ParseExact(name["records_p".Length..], "yyyyMMdd", CultureInfo.InvariantCulture), TimeSpan.Zero)
                .ToUnixTimeMilliseconds() / DayMs;
            if ((day + 1) * DayMs <= beforeMs) expired.Add((name, day, reader.GetBoolean(1)));
        }
        return expired;
    }

    /// <summary>
    /// Whether any row of <paramref name="table"/> still explains a current state (as <see cref="RecordRetention"/> keeps
    /// rows): an instance's current record, what that record was derived from, a failing instance's ticked record.
    /// </summary>
    public static string KeptSql(string table) => $"""
        SELECT EXISTS (SELECT 1 FROM {table} c WHERE
            c.id IN (SELECT LastRecordId FROM instance_states)
            OR c.id IN (SELECT m.RecordId FROM runbook_steps m JOIN instance_states s ON s.InstanceKey = m.InstanceKey WHERE s.IsFailing)
            OR c.id IN (SELECT NULLIF(trim(x), '')::bigint FROM instance_states s JOIN records d ON d.Id = s.LastRecordId,
                        unnest(string_to_array(d.DerivedFrom, ',')) AS x WHERE d.DerivedFrom <> ''))
        """;
}
