using System.Collections;
using System.Text.Json;

namespace OpsConsole.Features.Ingestion.Parsing;

/// <summary>
/// The top-level items of one request and the JSON documents they point into; disposing returns the
/// documents' pooled buffers, so dispose once the request's records are built.
/// </summary>
public sealed class PayloadItems : IReadOnlyList<PayloadNode>, IDisposable
{
    private readonly List<PayloadNode> _items = [];
    private readonly List<int> _lines = [];
    private readonly List<JsonDocument> _documents = [];
    private readonly List<RejectedLine> _rejected = [];

    /// <summary>A stream (lines or back-to-back objects) rather than one document: its items stand or fall alone.</summary>
    public bool IsStream { get; init; }

    /// <summary>The stream's values that did not parse, by line.</summary>
    public IReadOnlyList<RejectedLine> Rejected => _rejected;

    /// <summary>The line a stream item starts on (documents: the item's position).</summary>
    public int LineOf(int index) => IsStream ? _lines[index] : index;

    public int Count => _items.Count;
    public PayloadNode this[int index] => _items[index];

    internal JsonDocument Own(JsonDocument document)
    {
        _documents.Add(document);
        return document;
    }

    internal void Add(PayloadNode item, int line = 0)
    {
        _items.Add(item);
        _lines.Add(line);
    }

    internal void Reject(int line, string problem) => _rejected.Add(new RejectedLine(line, problem));

    public IEnumerator<PayloadNode> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var document in _documents) document.Dispose();
        _documents.Clear();
    }
}

/// <summary>One value of a stream that was skipped, and why (the line is where the value starts, from 1).</summary>
public sealed record RejectedLine(int Line, string Problem);
