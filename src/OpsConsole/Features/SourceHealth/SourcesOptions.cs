using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Features.SourceHealth;

public sealed class SourcesOptions
{
    public const string SectionName = "Sources";

    /// <summary>A source that sent nothing for this long is shown as silent.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromMinutes(15);
}
