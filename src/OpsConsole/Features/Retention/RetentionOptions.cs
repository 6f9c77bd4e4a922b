using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Features.Retention;

public sealed class RetentionOptions
{
    public const string SectionName = "Retention";

    /// <summary>Records received longer ago than this are removed (what still explains a current failure stays).</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromDays(90);

    /// <summary>An optional cap on stored records: beyond it the oldest go first, whatever their age. Null is no cap.</summary>
    [Range(1, long.MaxValue)]
    public long? MaxRecords { get; set; }

    /// <summary>How often the limits are checked.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The limits in words, for the Sources page: "90 days" or "90 days, at most 1,000,000 records".</summary>
    public string Describe()
    {
        var age = MaxAge.TotalDays >= 1 && MaxAge.TotalDays == Math.Floor(MaxAge.TotalDays)
            ? $"{MaxAge.TotalDays:0} day{(MaxAge.TotalDays == 1 ? "" : "s")}"
            : $"{MaxAge.TotalHours:0.#} hours";
        return MaxRecords is { } max ? $"{age}, at most {max.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} records" : age;
    }
}
