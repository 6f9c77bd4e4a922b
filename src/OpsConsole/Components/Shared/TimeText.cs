using System.Globalization;

namespace OpsConsole.Components.Shared;

/// <summary>How the console writes times: relative for scanning, the date once it is older than a day, exact UTC on hover.</summary>
public static class TimeText
{
    public static string Ago(DateTimeOffset at, DateTimeOffset now)
    {
        var span = now - at;
        if (span < TimeSpan.Zero) return "just now";
        return span.TotalSeconds switch
        {
            < 45 => "just now",
            < 90 => "1 min ago",
            < 3600 => $"{(int)Math.Round(span.TotalMinutes)} min ago",
            < 5400 => "1 h ago",
            < 86400 => $"{(int)Math.Round(span.TotalHours)} h ago",
            // "521 d ago" says nothing an operator can match against a log: past a day, the date itself.
            _ => Date(at, now),
        };
    }

    /// <summary>A short UTC date: day and time this year, the full date before.</summary>
    public static string Date(DateTimeOffset at, DateTimeOffset now) => at.UtcDateTime.Year == now.UtcDateTime.Year
        ? at.UtcDateTime.ToString("MMM d HH:mm", CultureInfo.InvariantCulture)
        : at.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An exact UTC time to the second for a column of times: without the year when it is this year's.</summary>
    public static string Stamp(DateTimeOffset at, DateTimeOffset now) => at.UtcDateTime.ToString(
        at.UtcDateTime.Year == now.UtcDateTime.Year ? "MMM d HH:mm:ss" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public static string Exact(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The hover text: which clock a time comes from, and the other one when it is known.</summary>
    public static string Labelled(DateTimeOffset at, DateTimeOffset? received) => received is { } r
        ? $"Source time: {Exact(at)}\nReceived: {Exact(r)}"
        : $"Source time: {Exact(at)}";
}
