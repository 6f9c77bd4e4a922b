using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Features.SourceHealth;

public sealed class SourcesOptions
{
    public const string SectionName = "Sources";

    /// <summary>A source that sent nothing for this long is shown as silent.</summary>
    [Range(typeof(TimeSpan), "00:00:10", "7.00:00:00")]
    public TimeSpan SilentAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Senders tracked one by one; beyond this, new ones are counted together as "other" (memory stays bounded).</summary>
    [Range(10, 1_000_000)]
    public int MaxTracked { get; set; } = 5000;
}
