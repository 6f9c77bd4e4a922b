using System.Globalization;
using System.Text.RegularExpressions;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>
/// The one policy for a source's time, for every source: the timestamp styles the sources emit (a time
/// without a zone is UTC), the range a clock can show at all (outside it the request is refused naming the
/// field), and which times are a wrong clock rather than an event time (then the received time is used).
/// </summary>
public static partial class SourceTime
{
    /// <summary>Before the Unix epoch a time is not a clock reading at all (year 0001, negative epochs): a bug in the sender.</summary>
    public static readonly DateTimeOffset Earliest = DateTimeOffset.UnixEpoch;

    /// <summary>Beyond this a time cannot be a clock that is merely wrong; it is garbage.</summary>
    public static readonly DateTimeOffset Latest = new(2200, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// No source the console reads existed before this: an edge unit without a real-time clock reports
    /// 1970-something until it has synchronised, and that reading says nothing about when the event happened.
    /// </summary>
    public static readonly DateTimeOffset ClockSet = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public const string RangeText = "between 1970-01-01 and 2199-12-31 (UTC)";

    public static bool InRange(DateTimeOffset time) => time >= Earliest && time < Latest;

    /// <summary>
    /// A time more than <paramref name="maxSkew"/> ahead of when the console received it, or from before the
    /// sender's clock was set, comes from a wrong clock: the record takes the received time (so it never outranks
    /// or hides behind other facts about its instance) and keeps the source's time in
    /// <see cref="EventRecord.SourceTimeUntrusted"/>.
    /// </summary>
    public static void ApplySkewLimit(EventRecord record, TimeSpan maxSkew)
    {
        var limit = record.ReceivedAt + maxSkew;
        if (record.OccurredAt > limit || record.OccurredAt < ClockSet)
        {
            record.SourceTimeUntrusted = record.OccurredAt;
            record.OccurredAt = record.ReceivedAt;
        }
        if (record.LastSeenAt > limit || record.LastSeenAt < ClockSet)
        {
            record.SourceTimeUntrusted ??= record.LastSeenAt;
            record.LastSeenAt = record.ReceivedAt;
        }
        if (record.LastSeenAt < record.OccurredAt) record.LastSeenAt = record.OccurredAt;
    }

    private static readonly string[] MonthPrefixes =
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    public static bool TryParse(string text, out DateTimeOffset time)
    {
        text = text.Trim();

        // az containerapp logs show: "2025-06-23 09:14:02 +0000 UTC"
        if (text.EndsWith(" UTC", StringComparison.Ordinal) && text.Length > 4)
            text = text[..^4];

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces, out time))
            return InRange(time);

        // MAAS events: "Mon, 23 Jun. 2025 08:52:10" (month may or may not carry a dot; zone not given, UTC assumed).
        var maas = MaasCreated().Match(text);
        if (maas.Success)
        {
            var month = Array.IndexOf(MonthPrefixes, maas.Groups["month"].Value[..3].ToLowerInvariant()) + 1;
            if (month > 0 && int.TryParse(maas.Groups["day"].Value, CultureInfo.InvariantCulture, out var day))
            {
                try
                {
                    time = new DateTimeOffset(int.Parse(maas.Groups["year"].Value, CultureInfo.InvariantCulture), month, day,
                        int.Parse(maas.Groups["h"].Value, CultureInfo.InvariantCulture),
                        int.Parse(maas.Groups["m"].Value, CultureInfo.InvariantCulture),
                        int.Parse(maas.Groups["s"].Value, CultureInfo.InvariantCulture), TimeSpan.Zero);
                    return InRange(time);
                }
                catch (ArgumentOutOfRangeException)
                {
                    // An impossible date (31 Feb) is a bad timestamp like any other.
                }
            }
        }

        time = default;
        return false;
    }

    /// <summary>Unix seconds, milliseconds or nanoseconds, told apart by magnitude; null when not in range.</summary>
    public static DateTimeOffset? FromUnix(long value)
    {
        if (value < 0) return null;
        var milliseconds = value switch
        {
            > 100_000_000_000_000_000 => value / 1_000_000,
            > 100_000_000_000 => value,
            _ => value * 1000, // seconds: small enough here that this cannot overflow
        };
        if (milliseconds < Earliest.ToUnixTimeMilliseconds() || milliseconds >= Latest.ToUnixTimeMilliseconds()) return null;
        return DateTimeOffset.FromUnixTimeMilliseconds(milliseconds);
    }

    [GeneratedRegex(@"^[A-Za-z]{3},\s+(?<day>\d{1,2})\s+(?<month>[A-Za-z]{3,9})\.?\s+(?<year>\d{4})\s+(?<h>\d{1,2}):(?<m>\d{2}):(?<s>\d{2})$")]
    private static partial Regex MaasCreated();
}
