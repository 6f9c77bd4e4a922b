using System.Security.Cryptography;
using System.Text;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>Collects the records one request's payload states, in input order.</summary>
public sealed class ParseContext(string kind, DateTimeOffset receivedAt, Func<string, string?> query)
{
    public string Kind { get; } = kind;
    public DateTimeOffset ReceivedAt { get; } = receivedAt;
    public List<EventRecord> Records { get; } = [];

    /// <summary>A query-string value (cluster, host, cloud…), used where the payload itself does not say.</summary>
    public string? Query(string name) => query(name) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Adds a record for <paramref name="item"/>. Its dedupe key hashes source identity, the source's own time
    /// and the item's text, unless the source has a stable identity of its own (<paramref name="identity"/>).
    /// </summary>
    public EventRecord Add(JsonNode item, string source, string format, string entry,
        string instanceKey, string instanceName, DateTimeOffset? sourceTime, string? identity = null)
    {
        var record = new EventRecord
        {
            Kind = Kind,
            Source = source,
            Format = format,
            Entry = entry,
            InstanceKey = instanceKey,
            InstanceName = instanceName,
            OccurredAt = sourceTime ?? ReceivedAt,
            ReceivedAt = ReceivedAt,
            LastSeenAt = sourceTime ?? ReceivedAt,
            RawJson = item.Raw,
            DedupeKey = identity is null
                ? Hash($"{format}|{instanceKey}|{entry}|{sourceTime?.ToUnixTimeMilliseconds()}|{item.Raw}")
                : Hash($"{format}|{identity}"),
        };
        Records.Add(record);
        return record;
    }

    private static string Hash(string text)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
