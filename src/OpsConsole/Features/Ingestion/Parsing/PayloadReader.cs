using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>Reads a request body within the size limit (after gzip) and splits it into top-level items.</summary>
public static class PayloadReader
{
    /// <summary>
    /// Reads the body into a pooled buffer: bodies are large (hundreds of KB) and a fresh array per request
    /// would land on the large-object heap and drive full collections under load.
    /// </summary>
    public static async Task<PooledBody> ReadBodyAsync(HttpRequest request, long maxBytes, CancellationToken cancellationToken)
    {
        if (request.ContentLength > maxBytes)
            throw new PayloadTooLargeException($"The body is {request.ContentLength} bytes; the limit is {maxBytes} (Ingestion:MaxBodyBytes).");
        // We enforce the limit ourselves, after decompression too.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
            sizeFeature.MaxRequestBodySize = maxBytes;

        var gzip = request.Headers.ContentEncoding.Any(e => string.Equals(e, "gzip", StringComparison.OrdinalIgnoreCase));
        await using var body = gzip ? new GZipStream(request.Body, CompressionMode.Decompress, leaveOpen: true) : request.Body;
        var buffer = new PooledBody((int)Math.Min(maxBytes + 1, gzip ? 64 * 1024 : request.ContentLength + 1 ?? 64 * 1024));
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer.FreeSpace(), cancellationToken)) > 0)
            {
                buffer.Advance(read);
                if (buffer.Length > maxBytes)
                    throw new PayloadTooLargeException($"The {(gzip ? "decompressed " : "")}body is over the limit of {maxBytes} bytes (Ingestion:MaxBodyBytes).");
            }
            return buffer;
        }
        catch (InvalidDataException ex)
        {
            buffer.Dispose();
            throw new PayloadException(null, null, $"The body is marked gzip but could not be decompressed: {ex.Message}");
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            buffer.Dispose();
            throw new PayloadTooLargeException($"The body is over the limit of {maxBytes} bytes (Ingestion:MaxBodyBytes).");
        }
        catch
        {
            buffer.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The body's top-level items: the elements of a JSON array, the lines of newline-delimited JSON, or a
    /// single object. Throws a 413 when the items (or the entries of a list shape) exceed <paramref name="maxItems"/>.
    /// </summary>
    public static PayloadItems Split(ReadOnlyMemory<byte> body, bool newlineDelimited, int maxItems)
    {
        if (body.Span.Trim(" \t\r\n"u8).IsEmpty)
            throw new PayloadException(null, null, "The body is empty; send a JSON document.");

        if (!newlineDelimited)
        {
            var items = new PayloadItems();
            try
            {
                var root = items.Own(JsonDocument.Parse(body)).RootElement;
                if (root.ValueKind == JsonValueKind.Array)
                {
                    CheckCount(root.GetArrayLength(), maxItems);
                    var i = 0;
                    foreach (var element in root.EnumerateArray()) items.Add(new PayloadNode(element, i++, ""));
                    return items;
                }
                if (root.ValueKind != JsonValueKind.Object)
                    throw new PayloadException(null, null, $"The body must be a JSON object or array, not {root.ValueKind.ToString().ToLowerInvariant()}.");
                CheckCount(CountListEntries(root), maxItems);
                items.Add(new PayloadNode(root, 0, ""));
                return items;
            }
            catch (JsonException) when (LooksNewlineDelimited(body))
            {
                // docker events and az containerapp logs stream one object per line; accept them without the header too.
                items.Dispose();
            }
            catch (JsonException ex)
            {
                items.Dispose();
                throw new PayloadException(null, null, $"The body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine}): {FirstSentence(ex.Message)}");
            }
            catch
            {
                items.Dispose();
                throw;
            }
        }
        return SplitLines(body, maxItems);
    }

    private static PayloadItems SplitLines(ReadOnlyMemory<byte> body, int maxItems)
    {
        var items = new PayloadItems();
        try
        {
            ReadLines(body, maxItems, items);
            return items;
        }
        catch
        {
            items.Dispose();
            throw;
        }
    }

    private static void ReadLines(ReadOnlyMemory<byte> body, int maxItems, PayloadItems items)
    {
        var rest = body;
        var line = 0;
        while (!rest.IsEmpty)
        {
            var end = rest.Span.IndexOf((byte)'\n');
            var current = end < 0 ? rest : rest[..end];
            rest = end < 0 ? ReadOnlyMemory<byte>.Empty : rest[(end + 1)..];
            line++;
            if (current.Span.Trim(" \t\r"u8).IsEmpty) continue;
            CheckCount(items.Count + 1, maxItems);
            try
            {
                var element = items.Own(JsonDocument.Parse(current)).RootElement;
                items.Add(new PayloadNode(element, items.Count, ""));
            }
            catch (JsonException ex)
            {
                throw new PayloadException(items.Count, null, $"Line {line} is not valid JSON: {FirstSentence(ex.Message)}");
            }
        }
        if (items.Count == 0) throw new PayloadException(null, null, "The body holds no JSON lines.");
    }

    private static bool LooksNewlineDelimited(ReadOnlyMemory<byte> body)
    {
        var trimmed = body.Span.Trim(" \t\r\n"u8);
        return trimmed.Length > 0 && trimmed[0] == (byte)'{' && trimmed.IndexOf((byte)'\n') > 0;
    }

    /// <summary>List shapes (PodList, EventList, MAAS events, REST tables) hold their items inside one object.</summary>
    private static int CountListEntries(JsonElement root)
    {
        var count = 1;
        foreach (var name in (ReadOnlySpan<string>)["items", "events", "instanceActions", "servers"])
            if (root.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array)
                count = Math.Max(count, list.GetArrayLength());
        if (root.TryGetProperty("tables", out var tables) && tables.ValueKind == JsonValueKind.Array)
        {
            var rows = 0;
            foreach (var table in tables.EnumerateArray())
                if (table.ValueKind == JsonValueKind.Object && table.TryGetProperty("rows", out var r) && r.ValueKind == JsonValueKind.Array)
                    rows += r.GetArrayLength();
            count = Math.Max(count, rows);
        }
        return count;
    }

    private static void CheckCount(int count, int maxItems)
    {
        if (count > maxItems)
            throw new PayloadTooLargeException($"The payload holds {count} items; the limit is {maxItems} per request (Ingestion:MaxItems). Split it into smaller batches.");
    }

    private static string FirstSentence(string message) => message.Split(" Path:", 2)[0].Split(" LineNumber:", 2)[0];
}

/// <summary>A request body in an array rented from the shared pool; give it back (Dispose) once parsed.</summary>
public sealed class PooledBody(int initialSize) : IDisposable
{
    private byte[] _array = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(initialSize, 4096));

    public int Length { get; private set; }

    public ReadOnlyMemory<byte> Memory => _array.AsMemory(0, Length);

    public Memory<byte> FreeSpace()
    {
        if (Length == _array.Length)
        {
            var larger = System.Buffers.ArrayPool<byte>.Shared.Rent(_array.Length * 2);
            _array.AsSpan(0, Length).CopyTo(larger);
            System.Buffers.ArrayPool<byte>.Shared.Return(_array);
            _array = larger;
        }
        return _array.AsMemory(Length);
    }

    public void Advance(int count) => Length += count;

    public void Dispose()
    {
        if (_array.Length == 0) return;
        System.Buffers.ArrayPool<byte>.Shared.Return(_array);
        _array = [];
    }
}
