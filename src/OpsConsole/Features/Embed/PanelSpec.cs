using OpsConsole.Features.Instances;

namespace OpsConsole.Features.Embed;

/// <summary>Which panel to show and with what options, as /embed URLs carry them.</summary>
public sealed record PanelSpec(string Panel, FailingView View, int Limit, string? Title, string? Key = null)
{
    public static IReadOnlyList<string> Panels { get; } = ["failing", "summary", "category", "instance", "sources"];

    public const int DefaultLimit = 15;

    public static int ClampLimit(int? limit) => Math.Clamp(limit ?? DefaultLimit, 1, 100);
}
