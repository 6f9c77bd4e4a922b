namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>A payload the console cannot accept; becomes a 400 problem naming the item and the field.</summary>
public sealed class PayloadException(int? item, string? field, string detail) : Exception(detail)
{
    public int? Item { get; } = item;
    public string? Field { get; } = field;
}

/// <summary>A payload larger than the configured limits; becomes a 413 problem.</summary>
public sealed class PayloadTooLargeException(string detail) : Exception(detail);
