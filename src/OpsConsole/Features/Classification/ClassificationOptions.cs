using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Features.Classification;

public sealed class ClassificationOptions
{
    public const string SectionName = "Classification";

    /// <summary>An operator rules file whose rules are tried before the shipped ones.</summary>
    public string? ExtraRulesPath { get; set; }

    /// <summary>An Aos instance still activating after this long with no newer status is reported as stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan StalledAfter { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A MAAS node commissioning with no event for this long is reported as silent.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CommissioningSilentAfter { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>A Nova server in BUILD with no newer report for this long is reported as stalled.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan VmBuildStalledAfter { get; set; } = TimeSpan.FromMinutes(20);

    /// <summary>How many exits (or back-offs) of one container within <see cref="CrashLoopWindow"/> make a crash loop.</summary>
    [Range(2, 1000)]
    public int CrashLoopExits { get; set; } = 3;

    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan CrashLoopWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often the silence detectors run.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DetectorInterval { get; set; } = TimeSpan.FromSeconds(30);
}
