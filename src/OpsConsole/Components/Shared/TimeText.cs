using System.Globalization;

namespace OpsConsole.Components.Shared;

/// <summary>How the console writes times: relative for scanning, exact UTC on hover.</summary>
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
            < 172800 => "yesterday",
            _ => $"{(int)span.TotalDays} d ago",
        };
    }

    public static string Exact(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
}
