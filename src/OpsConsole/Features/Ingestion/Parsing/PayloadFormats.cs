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

        // A stream's items stand alone: one that fails is listed as rejected (by line) and the rest are kept.
        var stream = items as PayloadItems is { IsStream: true } s ? s : null;
        if (stream is not null) context.Rejected.AddRange(stream.Rejected);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var before = context.Records.Count;
            try
            {
                var format = forced ?? FirstMatching(formats, item)
                             ?? throw new PayloadException(item.Item, null,
                                 $"Item {item.Item} has no recognised shape for this endpoint (expected {string.Join(", ", formats.Select(f => f.Name))}); pass ?format= to choose one.");
                format.Parse(item, context);
            }
            catch (PayloadException ex) when (stream is not null)
            {
                context.Records.RemoveRange(before, context.Records.Count - before);
                context.Rejected.Add(new RejectedLine(stream.LineOf(i), ex.Field is null ? ex.Message : $"{ex.Message} (field {ex.Field})"));
            }
        }
        if (stream is null) return;
        context.Rejected.Sort((a, b) => a.Line.CompareTo(b.Line));
        if (context.Rejected.Count > 0 && context.Records.Count == 0)
        {
            var first = context.Rejected[0];
            throw new PayloadException(null, null,
                $"Nothing in the stream was accepted; line {first.Line}: {first.Problem}" + (context.Rejected.Count > 1 ? $" (and {context.Rejected.Count - 1} more lines)" : ""));
        }
    }

    // Asked for every item: a plain loop, where FirstOrDefault allocated a closure and an enumerator each time.
    private static IPayloadFormat? FirstMatching(IReadOnlyList<IPayloadFormat> formats, PayloadNode item)
    {
        for (var i = 0; i < formats.Count; i++)
            if (formats[i].Matches(item)) return formats[i];
        return null;
    }
}
