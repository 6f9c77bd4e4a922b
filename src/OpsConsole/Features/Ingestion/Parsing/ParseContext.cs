using System.Buffers;
using System.Runtime.InteropServices;
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

    /// <summary>A stream's values that were skipped, by line (a document is refused whole instead).</summary>
    public List<RejectedLine> Rejected { get; } = [];

    /// <summary>A query-string value (cluster, host, cloud…), used where the payload itself does not say.</summary>
    public string? Query(string name) => query(name) is { Length: > 0 } value ? value : null;

    /// <summary>
    /// Adds a record for <paramref name="item"/>, named by <paramref name="parts"/> in its source's terms. Its dedupe key hashes source identity, the source's own time
    /// and the item's text, unless the source has a stable identity of its own (<paramref name="identity"/>).
    /// </summary>
    public EventRecord Add(PayloadNode item, string source, string format, string entry,
        string instanceKey, string instanceName, IReadOnlyList<IdentityPart> parts, DateTimeOffset? sourceTime, string? identity = null)
    {
        CheckIdentity(item, instanceKey);
        if (sourceTime is { } time && !SourceTime.InRange(time))
            throw new PayloadException(item.Item, "time", $"The item's time {time:O} is not {SourceTime.RangeText}.");
        var raw = item.Raw;
        var hash = identity is null
            ? Hash([format, instanceKey, entry], JsonMarshal.GetRawUtf8Value(item.Element), timed: true, sourceTime?.ToUnixTimeMilliseconds())
            : Hash([format, identity], default);
        // Keyed by the source's time first when there is one, so new records' keys land at a few places of the unique index, not all over it.
        var timedKey = identity is null && sourceTime is not null;
        var record = new EventRecord
        {
            Kind = Kind,
            Source = source,
            Format = format,
            Entry = entry,
            InstanceKey = instanceKey,
            InstanceName = instanceName,
            Parts = parts,
            Identity = InstanceIdentity.Write(parts),
            OccurredAt = sourceTime ?? ReceivedAt,
            ReceivedAt = ReceivedAt,
            LastSeenAt = sourceTime ?? ReceivedAt,
            RawJson = raw,
            DedupeKey = timedKey ? DedupeKeys.Timed(sourceTime!.Value, hash) : hash,
            LegacyDedupeKey = timedKey ? hash : null,
        };
        Records.Add(record);
        return record;
    }

    /// <summary>
    /// The backstop for every format: an instance key with an empty or placeholder part (<c>aca/app/-</c>,
    /// <c>aos/unit//subject/0</c>) or a control character would file the record under an instance that does
    /// not exist, so the request is refused instead.
    /// </summary>
    private static void CheckIdentity(PayloadNode item, string instanceKey)
    {
        // Runs for every record: the parts are walked in place, not split into strings.
        var key = instanceKey.AsSpan();
        // char.IsControl's ranges; '/' is none of them, so the whole key is checked at once.
        var broken = key.IndexOfAnyInRange('\0', '\u001f') >= 0 || key.IndexOfAnyInRange('\u007f', '\u009f') >= 0;
        foreach (var range in key.Split('/'))
        {
            var part = key[range];
            broken |= part.IsEmpty || part is "-";
        }
        if (broken)
            throw new PayloadException(item.Item, "instance",
                $"The item does not name its instance fully: the key would be \"{instanceKey.Replace("\0", "\\0", StringComparison.Ordinal)}\".");
    }

    // One hashing context per thread, reset after each key: a one-shot hash sets up and tears down OpenSSL's context per record.
    [ThreadStatic]
    private static IncrementalHash? _sha256;

    /// <summary>
    /// SHA-256 over the parts, each followed by "|" (so "ab|c" and "a|bc" differ), then when <paramref name="timed"/> the
    /// source time in Unix milliseconds as decimal text (empty without one) and "|", then the item's own UTF-8 text when
    /// given (the bytes its raw JSON string encodes to, read from the body without decoding and encoding it again).
    /// </summary>
    private static string Hash(ReadOnlySpan<string> parts, ReadOnlySpan<byte> item, bool timed = false, long? unixMilliseconds = null)
    {
        var size = item.Length + 1 + (timed ? 21 : 0);
        foreach (var part in parts) size += Encoding.UTF8.GetMaxByteCount(part.Length) + 1;
        var rented = size <= 1024 ? null : ArrayPool<byte>.Shared.Rent(size);
        var buffer = rented is null ? stackalloc byte[1024] : rented.AsSpan();
        var length = 0;
        foreach (var part in parts)
        {
            length += Encoding.UTF8.GetBytes(part, buffer[length..]);
            buffer[length++] = (byte)'|';
        }
        if (timed)
        {
            // The time's digits go straight into the buffer, not into a string per record that is then encoded.
            if (unixMilliseconds is { } millis)
            {
                System.Buffers.Text.Utf8Formatter.TryFormat(millis, buffer[length..], out var written);
                length += written;
            }
            buffer[length++] = (byte)'|';
        }
        if (!item.IsEmpty)
        {
            item.CopyTo(buffer[length..]);
            length += item.Length;
            buffer[length++] = (byte)'|';
        }
        Span<byte> digest = stackalloc byte[32];
        var sha256 = _sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(buffer[..length]);
        sha256.GetHashAndReset(digest);
        if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        return Convert.ToHexStringLower(digest[..16]);
    }
}
