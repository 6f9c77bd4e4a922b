using System.Text.Json;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Corpus;

/// <summary>One payload to post: a verbatim upstream payload from tests/corpus or a shared sample, with its labels.</summary>
public sealed record CorpusPayload(string Name, string Path, string Endpoint, string Query, string ContentType, SampleLabel Label)
{
    /// <summary>The snapshot file the payload's outcome is kept in: one per source folder.</summary>
    public string Group => Name[..Name.IndexOf('/')];

    public string Url => $"/api/v1/{Endpoint}{Query}";

    public string Read() => File.ReadAllText(Path);

    public override string ToString() => Name;
}

/// <summary>
/// tests/corpus/&lt;source&gt;/ holds payloads copied from the upstream projects (their docs, API samples and
/// fixtures), each listed in that folder's manifest.json with its endpoint, labels and provenance.
/// </summary>
public static class CorpusPayloads
{
    public static string Root { get; } = System.IO.Path.Combine(Repository.Root, "tests", "corpus");

    public static IReadOnlyList<CorpusPayload> Upstream { get; } = LoadUpstream();

    /// <summary>The upstream corpus and the shared samples, in a stable order.</summary>
    public static IReadOnlyList<CorpusPayload> All { get; } = [.. Upstream, .. SharedSamples()];

    public static TheoryData<string> UpstreamNames()
    {
        var data = new TheoryData<string>();
        foreach (var payload in Upstream) data.Add(payload.Name);
        return data;
    }

    public static CorpusPayload Named(string name) => All.Single(p => p.Name == name);

    private static List<CorpusPayload> LoadUpstream()
    {
        var payloads = new List<CorpusPayload>();
        foreach (var manifest in Directory.GetFiles(Root, "manifest.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var folder = System.IO.Path.GetDirectoryName(manifest)!;
            var source = System.IO.Path.GetFileName(folder);
            using var document = JsonDocument.Parse(File.ReadAllText(manifest));
            foreach (var entry in document.RootElement.EnumerateObject().OrderBy(e => e.Name, StringComparer.Ordinal))
            {
                var item = entry.Value;
                var contentType = item.TryGetProperty("contentType", out var type) ? type.GetString()! : "application/json";
                payloads.Add(new CorpusPayload(
                    $"{source}/{entry.Name}",
                    System.IO.Path.Combine(folder, entry.Name),
                    item.GetProperty("endpoint").GetString()!,
                    item.TryGetProperty("query", out var query) ? query.GetString()! : "",
                    contentType,
                    new SampleLabel(item.GetProperty("endpoint").GetString()!, Strings(item, "expected"), Strings(item, "allowed"), contentType)));
            }
        }
        return payloads;
    }

    private static IEnumerable<CorpusPayload> SharedSamples() => Samples.Labels.OrderBy(l => l.Key, StringComparer.Ordinal)
        .Select(l => new CorpusPayload($"samples-{l.Key}", System.IO.Path.Combine(Samples.Root, l.Key), l.Value.Endpoint, "", l.Value.ContentType, l.Value));

    private static List<string> Strings(JsonElement item, string name) =>
        item.TryGetProperty(name, out var list) && list.ValueKind == JsonValueKind.Array ? [.. list.EnumerateArray().Select(e => e.GetString()!)] : [];
}
