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
    private readonly List<JsonDocument> _documents = [];

    public int Count => _items.Count;
    public PayloadNode this[int index] => _items[index];

    internal JsonDocument Own(JsonDocument document)
    {
        _documents.Add(document);
        return document;
    }

    internal void Add(PayloadNode item) => _items.Add(item);

    public IEnumerator<PayloadNode> GetEnumerator() => _items.GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public void Dispose()
    {
        foreach (var document in _documents) document.Dispose();
        _documents.Clear();
    }
}
