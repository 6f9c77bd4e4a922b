using System.Text.Json;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The records every payload of tests/corpus and shared/samples produces, parsed as the ingestion endpoints parse
/// them (endpoint, query and content type from the corpus manifests and labels.json); payloads the parsers refuse add nothing.
/// </summary>
public static class ClassifierRecords
{
    public static List<EventRecord> Load()
    {
        var records = new List<EventRecord>();
        var repository = Locate("tests/corpus");
        foreach (var manifest in Directory.GetFiles(Path.Combine(repository, "tests", "corpus"), "manifest.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            foreach (var entry in document.RootElement.EnumerateObject())
                Parse(Path.Combine(Path.GetDirectoryName(manifest)!, entry.Name), entry.Value, records);
        }
        var samples = Path.Combine(Locate("shared/samples"), "shared", "samples");
        using (var labels = JsonDocument.Parse(File.ReadAllText(Path.Combine(samples, "labels.json"))))
            foreach (var entry in labels.RootElement.EnumerateObject())
                Parse(Path.Combine(samples, entry.Name), entry.Value, records);
        return records;
    }

    private static void Parse(string file, JsonElement item, List<EventRecord> records)
    {
        var kind = item.GetProperty("endpoint").GetString() switch
        {
            "unit-status" => PayloadFormats.Unit,
            "vm-events" => PayloadFormats.Vm,
            _ => PayloadFormats.Container,
        };
        var contentType = item.TryGetProperty("contentType", out var type) || item.TryGetProperty("content_type", out type) ? type.GetString()! : "application/json";
        var query = System.Web.HttpUtility.ParseQueryString(item.TryGetProperty("query", out var q) ? q.GetString()! : "");
        var context = new ParseContext(kind, DateTimeOffset.UtcNow, name => query[name]);
        try
        {
            using var items = PayloadReader.Split(File.ReadAllBytes(file), contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase)
                || contentType.Contains("jsonl", StringComparison.OrdinalIgnoreCase) || contentType.Contains("json-seq", StringComparison.OrdinalIgnoreCase), 10_000);
            PayloadFormats.Parse(kind, items, query["format"], context);
        }
        catch (PayloadException)
        {
            return; // refused by the parsers: nothing to classify
        }
        records.AddRange(context.Records);
    }

    private static string Locate(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, relative))) return dir.FullName;
        throw new InvalidOperationException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}
