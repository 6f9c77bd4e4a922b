using System.Net;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Corpus;

/// <summary>
/// Every upstream corpus payload the console accepts gets the categories its manifest labels say. A payload refused
/// with 400 is the parsers' business (their acceptance tests), not this test's; any other refusal fails here.
/// </summary>
public sealed class CorpusLabelTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Every_accepted_corpus_payload_gets_its_labels()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        var problems = new List<string>();
        var figures = new SortedDictionary<string, (int Matching, int Accepted, int Refused)>(StringComparer.Ordinal);
        foreach (var payload in CorpusPayloads.Upstream)
        {
            var figure = figures.GetValueOrDefault(payload.Group);
            using var response = await api.PostJsonTextAsync(payload.Url, payload.Read(), payload.ContentType);
            if (response.StatusCode == HttpStatusCode.BadRequest)
            {
                figures[payload.Group] = figure with { Refused = figure.Refused + 1 };
                continue;
            }
            var body = await response.ReadJsonAsync();
            if (response.StatusCode != HttpStatusCode.OK)
            {
                problems.Add($"{payload.Name}: {(int)response.StatusCode}");
                continue;
            }
            var categories = body.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("category").GetString()!).ToHashSet();
            var mismatch = payload.Label.Mismatch(categories);
            if (mismatch is not null) problems.Add($"{payload.Name}: {mismatch} (got {string.Join(", ", categories.Order(StringComparer.Ordinal))})");
            figures[payload.Group] = figure with { Matching = figure.Matching + (mismatch is null ? 1 : 0), Accepted = figure.Accepted + 1 };
        }
        foreach (var (source, (matching, accepted, refused)) in figures)
            output.WriteLine($"{source}: {matching}/{accepted} accepted payloads match their labels ({refused} refused with 400)");
        Assert.True(problems.Count == 0, $"{problems.Count} payload(s) do not get their labels:\n{string.Join("\n", problems)}");
    }
}
