using System.Globalization;
using System.Text.RegularExpressions;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>Parses the timestamp styles the sources emit. A time without a zone is taken as UTC.</summary>
public static partial class SourceTime
{
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
            return true;

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
                    return true;
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

    /// <summary>Unix seconds, milliseconds or nanoseconds, told apart by magnitude.</summary>
    public static DateTimeOffset FromUnix(long value) => value switch
    {
        > 100_000_000_000_000_000 => DateTimeOffset.FromUnixTimeMilliseconds(value / 1_000_000),
        > 100_000_000_000 => DateTimeOffset.FromUnixTimeMilliseconds(value),
        _ => DateTimeOffset.FromUnixTimeSeconds(value),
    };

    [GeneratedRegex(@"^[A-Za-z]{3},\s+(?<day>\d{1,2})\s+(?<month>[A-Za-z]{3,9})\.?\s+(?<year>\d{4})\s+(?<h>\d{1,2}):(?<m>\d{2}):(?<s>\d{2})$")]
    private static partial Regex MaasCreated();
}
