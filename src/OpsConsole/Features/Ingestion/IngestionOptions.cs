using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Features.Ingestion;

public sealed class IngestionOptions
{
    public const string SectionName = "Ingestion";

    /// <summary>Keys accepted in X-Api-Key or Authorization: Bearer. None configured: one is generated at first start.</summary>
    public string[] ApiKeys { get; set; } = [];

    [Range(1024, 1L << 30)]
    public long MaxBodyBytes { get; set; } = 10 * 1024 * 1024;

    [Range(1, 1_000_000)]
    public int MaxItems { get; set; } = 10_000;

    /// <summary>Messages longer than this are cut; the record names the cut field in <c>truncated</c>.</summary>
    [Range(64, 1_000_000)]
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>The stored copy of one item is cut beyond this many characters (marked, and named in <c>truncated</c>).</summary>
    [Range(1024, 100_000_000)]
    public int MaxRawLength { get; set; } = 64 * 1024;

    /// <summary>Distinct sources that get their own metric label; later ones are counted under "other".</summary>
    [Range(1, 100_000)]
    public int MaxSourceLabels { get; set; } = 50;

    /// <summary>A source time further ahead of the received time than this is not used (see SourceTime.ApplySkewLimit).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(10);
}
