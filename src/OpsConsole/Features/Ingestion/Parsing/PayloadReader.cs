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
    /// The body's top-level items: the elements of a JSON array, a single object, or the values of a stream
    /// (newline-delimited or back-to-back objects). A document is all-or-nothing; a stream keeps every value
    /// that parses and lists the rest in <see cref="PayloadItems.Rejected"/>. Throws a 413 when the items (or the entries of a list shape) exceed <paramref name="maxItems"/>.
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
        var items = new PayloadItems { IsStream = true };
        try
        {
            ReadStream(body, maxItems, items);
            return items;
        }
        catch
        {
            items.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A stream is a run of JSON values: one per line (NDJSON, <c>az containerapp logs show</c>, with or without
    /// blank lines between) or pretty-printed objects back to back (Docker's <c>/events</c>, <c>kubectl get -w -o json</c>).
    /// A value that does not parse is listed as rejected and reading resumes at the next line that opens a value in
    /// column 0, so one broken line costs only itself.
    /// </summary>
    private static void ReadStream(ReadOnlyMemory<byte> body, int maxItems, PayloadItems items)
    {
        var span = body.Span;
        var pos = 0;
        var line = 1;
        while (true)
        {
            while (pos < span.Length && span[pos] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                if (span[pos] == (byte)'\n') line++;
                pos++;
            }
            if (pos >= span.Length) break;

            var startLine = line;
            var length = ValueLength(span[pos..], out var problem);
            if (length > 0)
            {
                CheckCount(items.Count + 1, maxItems);
                var element = items.Own(JsonDocument.Parse(body.Slice(pos, length))).RootElement;
                if (element.ValueKind == JsonValueKind.Array)
                {
                    foreach (var inner in element.EnumerateArray()) items.Add(new PayloadNode(inner, items.Count, ""), startLine);
                }
                else if (element.ValueKind == JsonValueKind.Object)
                {
                    items.Add(new PayloadNode(element, items.Count, ""), startLine);
                }
                else
                {
                    items.Reject(startLine, $"A JSON {element.ValueKind.ToString().ToLowerInvariant()} is not a record; send objects");
                }
                line += span.Slice(pos, length).Count((byte)'\n');
                pos += length;
                continue;
            }

            items.Reject(startLine, problem);
            // Resume at the next line that opens a value in column 0.
            while (pos < span.Length)
            {
                var next = span[pos..].IndexOf((byte)'\n');
                if (next < 0) { pos = span.Length; break; }
                pos += next + 1;
                line++;
                if (pos < span.Length && span[pos] is (byte)'{' or (byte)'[') break;
            }
        }
        if (items.Count == 0)
        {
            var first = items.Rejected.FirstOrDefault();
            throw new PayloadException(null, null, first is null
                ? "The body holds no JSON lines."
                : $"Nothing in the stream parsed; line {first.Line}: {first.Problem}" + (items.Rejected.Count > 1 ? $" (and {items.Rejected.Count - 1} more lines)" : ""));
        }
    }

    /// <summary>The byte length of the one JSON value at the start of <paramref name="span"/>, or 0 with the problem.</summary>
    private static int ValueLength(ReadOnlySpan<byte> span, out string problem)
    {
        problem = "";
        if (span[0] is not ((byte)'{' or (byte)'['))
        {
            var end = span.IndexOf((byte)'\n');
            var text = System.Text.Encoding.UTF8.GetString(end < 0 ? span : span[..end]).Trim();
            problem = $"Not a JSON object: it starts with \"{(text.Length > 40 ? text[..40] + "…" : text)}\"";
            return 0;
        }
        var reader = new Utf8JsonReader(span, new JsonReaderOptions { AllowMultipleValues = true });
        try
        {
            reader.Read();
            reader.Skip();
            return (int)reader.BytesConsumed;
        }
        catch (JsonException ex)
        {
            problem = $"Not valid JSON: {FirstSentence(ex.Message)}";
            return 0;
        }
    }

    /// <summary>Several objects one after the other (on lines or pretty-printed) rather than one document.</summary>
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
