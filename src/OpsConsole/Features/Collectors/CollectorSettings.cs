using System.ComponentModel.DataAnnotations;

namespace OpsConsole.Features.Collectors;

/// <summary>
/// What every collector needs, whatever its source: where the console is, its key, who it is and where it
/// buffers. Bound from <c>collect</c>'s options (<c>--console</c> → Console) or from <c>Collectors:&lt;name&gt;</c>.
/// </summary>
public sealed class CollectorSettings
{
    /// <summary>The console's base URL, e.g. https://ops.example.com/.</summary>
    [Required] public string Console { get; set; } = "";

    /// <summary>An ingestion API key of the console (Ingestion:ApiKeys).</summary>
    [Required] public string Key { get; set; } = "";

    /// <summary>The name the console lists this collector under; defaults to source@machine.</summary>
    public string? Name { get; set; }

    /// <summary>The folder of the on-disk queue; defaults to data/collectors/&lt;name&gt;.</summary>
    public string? Buffer { get; set; }

    /// <summary>Where the collector's own /healthz and /metrics listen (command line only).</summary>
    public string Listen { get; set; } = "http://127.0.0.1:9180";

    [Range(1, 10_000)] public int MaxBatchItems { get; set; } = 500;
    public TimeSpan RetryBase { get; set; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan RetryMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an idle collector checks in, so a dead one shows up as silent on the Sources page.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromMinutes(1);

    public Uri ConsoleUri => new(Console.EndsWith('/') ? Console : Console + "/", UriKind.Absolute);

    /// <summary>A one-line reason the settings cannot work, or null.</summary>
    public string? Problem()
    {
        if (!Uri.TryCreate(Console, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            return "--console must be the console's http(s) base URL, e.g. --console https://ops.example.com";
        if (string.IsNullOrWhiteSpace(Key)) return "--key must be one of the console's ingestion API keys (Ingestion:ApiKeys)";
        if (RetryBase <= TimeSpan.Zero || RetryMax < RetryBase) return "RetryBase must be positive and RetryMax at least RetryBase";
        if (Heartbeat <= TimeSpan.Zero) return "Heartbeat must be positive";
        if (MaxBatchItems is < 1 or > 10_000) return "MaxBatchItems must be between 1 and 10000";
        return null;
    }
}
