using System.Text.RegularExpressions;

namespace OpsConsole.Sources.Maas;

/// <summary>
/// The MAAS event types that tell how far a commissioning node got (seed B): booted the ephemeral image, or
/// talked back to the region controller. Shared by the correlator (a timeout in the batch) and the silence
/// detector (no event at all).
/// </summary>
public static partial class MaasSteps
{
    /// <summary>Event types showing the node got as far as booting the ephemeral image.</summary>
    public static IReadOnlyList<string> Boot { get; } = ["Performing PXE boot", "PXE Request", "TFTP Request", "HTTP Request", "Loading ephemeral"];

    /// <summary>Event types that only appear once the booted node talks back to the region controller.</summary>
    public static IReadOnlyList<string> Report { get; } =
        ["Gathering information", "Script result", "Node installation", "Commissioning script", "Running test", "Configuring OS", "Rebooting"];

    public static bool IsBoot(string? type) => type is not null && Boot.Contains(type, StringComparer.OrdinalIgnoreCase);

    /// <summary>A report-back step, or any event whose text shows cloud-init ran on the node.</summary>
    public static bool IsReport(string? type, string? message) =>
        (type is not null && Report.Contains(type, StringComparer.OrdinalIgnoreCase)) || (message is not null && CloudInit().IsMatch(message));

    [GeneratedRegex(@"cloud-?init", RegexOptions.IgnoreCase)]
    private static partial Regex CloudInit();
}
