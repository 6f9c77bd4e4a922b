using System.Globalization;

namespace OpsConsole.Data;

/// <summary>
/// Where one ingest request's time went, answered in its Server-Timing header: the pipeline's stages and, from the
/// store, how long the request's write transaction waited for the writer, held it and took to commit. Carried down
/// the request's async calls (<see cref="Current"/>), so the store's signature stays the same for every provider.
/// </summary>
public sealed class RequestTiming
{
    private static readonly AsyncLocal<RequestTiming?> Ambient = new();

    private readonly List<(string Name, TimeSpan Elapsed)> _entries = [];

    /// <summary>The timing of the request this code runs for; null outside a timed request.</summary>
    public static RequestTiming? Current => Ambient.Value;

    /// <summary>Starts timing the calling request (its awaited calls see it as <see cref="Current"/>).</summary>
    public static RequestTiming Start() => Ambient.Value = new RequestTiming();

    /// <summary>More than one request ever measures: a timer or task started during a request inherits its timing, and must not grow it.</summary>
    private const int MaxEntries = 16;

    public void Add(string name, TimeSpan elapsed)
    {
        lock (_entries)
            if (_entries.Count < MaxEntries) _entries.Add((name, elapsed));
    }

    /// <summary>The Server-Timing header value: <c>name;dur=milliseconds</c>, in the order measured.</summary>
    public string Header()
    {
        lock (_entries)
            return string.Join(", ", _entries.Select(e => $"{e.Name};dur={e.Elapsed.TotalMilliseconds.ToString("F1", CultureInfo.InvariantCulture)}"));
    }
}
