using OpsConsole.Sources;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>The record kinds, one per ingestion endpoint; each source profile says which kind its payload shapes arrive on.</summary>
public static class PayloadFormats
{
    public const string Unit = "unit";
    public const string Container = "container";
    public const string Vm = "vm";

    /// <summary>Parses every top-level item with the format named by <c>?format=</c>, or the one its shape matches.</summary>
    public static void Parse(string kind, IReadOnlyList<PayloadNode> items, string? formatName, ParseContext context)
    {
        var formats = SourceProfiles.FormatsFor(kind);
        IPayloadFormat? forced = null;
        if (formatName is { Length: > 0 })
        {
            forced = formats.FirstOrDefault(f => string.Equals(f.Name, formatName, StringComparison.OrdinalIgnoreCase))
                     ?? throw new PayloadException(null, "format",
                         $"Unknown format '{formatName}' for this endpoint; use one of: {string.Join(", ", formats.Select(f => f.Name))}.");
        }

        foreach (var item in items)
        {
            var format = forced ?? formats.FirstOrDefault(f => f.Matches(item))
                         ?? throw new PayloadException(item.Item, null,
                             $"Item {item.Item} has no recognised shape for this endpoint (expected {string.Join(", ", formats.Select(f => f.Name))}); pass ?format= to choose one.");
            format.Parse(item, context);
        }
    }
}
