using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OpsConsole.Features.Collectors;

/// <summary>One queued piece of work: items (one JSON value per line) for one ingestion endpoint and query.</summary>
public sealed record QueuedBatch(long Sequence, string Endpoint, string Query, IReadOnlyList<string> Lines);

/// <summary>
/// The collector's buffer: every batch a source produced is written to its own file (temp file, flushed to
/// disk, renamed) before anyone is told it is safe, and deleted only after the console accepted it. A
/// restart finds the files still there and sends them; the console's idempotency absorbs a batch sent
/// twice because the collector died between the console's answer and the delete.
/// </summary>
public sealed class FileQueue
{
    private const string Extension = ".batch";
    private readonly string _pending;
    private readonly string _rejected;
    private readonly Lock _gate = new();
    private readonly SortedSet<long> _sequences = [];
    private long _next;

    public FileQueue(string directory)
    {
        _pending = Path.Combine(directory, "pending");
        _rejected = Path.Combine(directory, "rejected");
        Directory.CreateDirectory(_pending);
        Directory.CreateDirectory(_rejected);
        foreach (var file in Directory.EnumerateFiles(_pending, "*.tmp")) File.Delete(file); // a write a crash interrupted
        foreach (var file in Directory.EnumerateFiles(_pending, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
                _sequences.Add(sequence);
        }
        _next = _sequences.Count == 0 ? 1 : _sequences.Max + 1;
    }

    /// <summary>Raised after a batch is durably queued, so the sender wakes up.</summary>
    public event Action? Enqueued;

    public int Backlog { get { lock (_gate) return _sequences.Count; } }

    public long Enqueue(string endpoint, string query, IReadOnlyList<string> lines)
    {
        long sequence;
        lock (_gate) sequence = _next++;
        var path = PathOf(sequence);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        using (var writer = new StreamWriter(stream, new UTF8Encoding(false)))
        {
            writer.Write(JsonSerializer.Serialize(new Header(endpoint, query), FileQueueJson.Default.Header));
            foreach (var line in lines)
            {
                writer.Write('\n');
                writer.Write(line);
            }
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path);
        lock (_gate) _sequences.Add(sequence);
        Enqueued?.Invoke();
        return sequence;
    }

    /// <summary>
    /// The oldest batches, merged while they go to the same endpoint and query, up to <paramref name="maxItems"/>
    /// items (always at least the first batch); empty when nothing is queued.
    /// </summary>
    public IReadOnlyList<QueuedBatch> PeekRun(int maxItems)
    {
        long[] sequences;
        lock (_gate) sequences = _sequences.Take(maxItems).ToArray();
        var run = new List<QueuedBatch>();
        var items = 0;
        foreach (var sequence in sequences)
        {
            var batch = Read(sequence);
            if (run.Count > 0 && (batch.Endpoint != run[0].Endpoint || batch.Query != run[0].Query || items + batch.Lines.Count > maxItems)) break;
            run.Add(batch);
            items += batch.Lines.Count;
        }
        return run;
    }

    public void Remove(IEnumerable<QueuedBatch> batches)
    {
        foreach (var batch in batches)
        {
            File.Delete(PathOf(batch.Sequence));
            lock (_gate) _sequences.Remove(batch.Sequence);
        }
    }

    /// <summary>Moves batches the console refused as malformed aside, so they neither block the queue nor vanish.</summary>
    public void Reject(IEnumerable<QueuedBatch> batches)
    {
        foreach (var batch in batches)
        {
            File.Move(PathOf(batch.Sequence), Path.Combine(_rejected, Path.GetFileName(PathOf(batch.Sequence))), overwrite: true);
            lock (_gate) _sequences.Remove(batch.Sequence);
        }
    }

    private QueuedBatch Read(long sequence)
    {
        var lines = File.ReadAllText(PathOf(sequence), Encoding.UTF8).Split('\n');
        var header = JsonSerializer.Deserialize(lines[0], FileQueueJson.Default.Header)
                     ?? throw new InvalidDataException($"Queued batch {sequence} has no header.");
        return new QueuedBatch(sequence, header.Endpoint, header.Query, lines[1..]);
    }

    private string PathOf(long sequence) => Path.Combine(_pending, sequence.ToString("D16", CultureInfo.InvariantCulture) + Extension);

    internal sealed record Header(string Endpoint, string Query);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(FileQueue.Header))]
internal sealed partial class FileQueueJson : System.Text.Json.Serialization.JsonSerializerContext;
