using System.Buffers;
using System.Text.Json;
using OpsConsole.Sources;

namespace OpsConsole.Features.Records;

/// <summary>One named part of an instance's identity: <c>cluster prod</c>, <c>server 9e2c…</c>.</summary>
public readonly record struct IdentityPart(string Label, string Value);

/// <summary>
/// One instance as its source names it: the key the console files it under, the parts of that key in the
/// source's own terms (unit/item/subject/instance, cluster/namespace/pod/container, cloud/server…), captured
/// when the payload is parsed and stored with the record, and where it runs.
/// </summary>
public sealed record InstanceIdentity(string Key, string Kind, string Source, string DisplayName, string? Location, IReadOnlyList<IdentityPart> Parts)
{
    public static InstanceIdentity Of(EventRecord record) =>
        new(record.InstanceKey, record.Kind, record.Source, record.InstanceName, record.Location, PartsOf(record));

    /// <summary>"cluster prod · namespace shop · pod api-7d9 · container api".</summary>
    public string Describe() => Describe(Parts);

    public static string Describe(IReadOnlyList<IdentityPart> parts) => string.Join(" · ", parts.Select(p => $"{p.Label} {p.Value}"));

    public static IReadOnlyList<IdentityPart> PartsOf(EventRecord record) =>
        record.Parts ?? (record.Parts = Read(record.Identity, record.InstanceKey));

    /// <summary>
    /// The stored parts, or for a row written before parts were stored, the parts its source's profile reads
    /// from the key (the only place a key is ever split).
    /// </summary>
    public static IReadOnlyList<IdentityPart> Read(string? stored, string instanceKey)
    {
        if (stored is not { Length: > 0 }) return SourceProfiles.ForKey(instanceKey).PartsFromKey(instanceKey);
        using var document = JsonDocument.Parse(stored);
        var parts = new List<IdentityPart>();
        foreach (var property in document.RootElement.EnumerateObject())
            parts.Add(new IdentityPart(property.Name, property.Value.GetString() ?? ""));
        return parts;
    }

    /// <summary>The stored form: one JSON object, parts in order (<c>{"cloud":"east","server":"9e2c"}</c>).</summary>
    public static string Write(IReadOnlyList<IdentityPart> parts)
    {
        // Written for every ingested record: the buffer and writer are kept per thread and reset, not made each time.
        var buffer = _buffer ??= new ArrayBufferWriter<byte>(256);
        buffer.ResetWrittenCount();
        var writer = _writer ??= new Utf8JsonWriter(buffer);
        writer.Reset(buffer);
        writer.WriteStartObject();
        foreach (var part in parts) writer.WriteString(part.Label, part.Value);
        writer.WriteEndObject();
        writer.Flush();
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? _buffer;

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;
}
