using System.Net;
using System.Text;
using System.Text.Json;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Corpus;

/// <summary>
/// Every corpus payload and shared sample, posted through the real ingestion endpoint, with what became of it
/// (status, and per record: entry, instance, category, severity, rule and evidence) kept in a reviewed snapshot
/// per source under Corpus/Snapshots/, as Sentry keeps its grouping snapshots: a rule, vocabulary or parser change
/// shows its effect on every case in the diff. Set OPSCONSOLE_UPDATE_SNAPSHOTS=1 to rewrite them, then review the diff.
/// </summary>
public sealed class ClassificationSnapshotTests
{
    private static readonly string SnapshotFolder = Path.Combine(Repository.Root, "tests", "OpsConsole.Tests", "Corpus", "Snapshots");

    [Fact]
    public async Task Every_payload_classifies_as_its_snapshot_says()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        var actual = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var payload in CorpusPayloads.All)
        {
            var group = actual.TryGetValue(payload.Group, out var g) ? g : actual[payload.Group] = new(StringComparer.Ordinal);
            group[payload.Name] = await OutcomeAsync(api, payload);
        }

        var update = Environment.GetEnvironmentVariable("OPSCONSOLE_UPDATE_SNAPSHOTS") == "1";
        var changes = new List<string>();
        foreach (var (group, outcomes) in actual)
        {
            var file = Path.Combine(SnapshotFolder, group + ".snap");
            var expected = File.Exists(file) ? Parse(File.ReadAllText(file)) : new Dictionary<string, string>();
            foreach (var (name, outcome) in outcomes)
                if (!expected.TryGetValue(name, out var before) || before != outcome)
                    changes.Add($"{name}\n--- snapshot\n{before ?? "(none)\n"}+++ now\n{outcome}");
            foreach (var gone in expected.Keys.Except(outcomes.Keys)) changes.Add($"{gone}: in the snapshot but no longer in the corpus");
            if (update)
            {
                Directory.CreateDirectory(SnapshotFolder);
                File.WriteAllText(file, Render(outcomes));
            }
        }
        if (!update) Assert.True(changes.Count == 0, $"{changes.Count} payload(s) differ from their snapshot:\n\n{string.Join("\n", changes)}");
    }

    private static async Task<string> OutcomeAsync(HttpClient api, CorpusPayload payload)
    {
        using var response = await api.PostJsonTextAsync(payload.Url, payload.Read(), payload.ContentType);
        var body = await response.ReadJsonAsync();
        var text = new StringBuilder();
        text.Append("POST ").Append(payload.Url).Append(" → ").Append((int)response.StatusCode).Append('\n');
        if (response.StatusCode != HttpStatusCode.OK)
        {
            text.Append("  ").Append(Field(body, "title")).Append(": ").Append(Field(body, "detail")).Append('\n');
            return text.ToString();
        }
        foreach (var record in body.GetProperty("records").EnumerateArray())
        {
            var stored = await api.GetJsonAsync<JsonElement>($"/api/v1/records/{record.GetProperty("id").GetInt64()}");
            text.Append("  ").Append(Field(stored, "entry")).Append(" | ").Append(Field(stored, "instance"))
                .Append(" | ").Append(Field(stored, "category")).Append(' ').Append(Field(stored, "severity"))
                .Append(" | ").Append(Field(stored, "ruleId")).Append(" | ").Append(Field(stored, "evidence")).Append('\n');
        }
        if (body.TryGetProperty("rejected", out var rejected) && rejected.ValueKind == JsonValueKind.Array)
            foreach (var line in rejected.EnumerateArray())
                text.Append("  rejected line ").Append(line.GetProperty("line")).Append(": ").Append(Field(line, "problem")).Append('\n');
        return text.ToString();
    }

    private static string Field(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? (value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText()).ReplaceLineEndings(" ")
            : "-";

    private static string Render(SortedDictionary<string, string> outcomes)
    {
        var text = new StringBuilder();
        foreach (var (name, outcome) in outcomes) text.Append("## ").Append(name).Append('\n').Append(outcome).Append('\n');
        return text.ToString();
    }

    private static Dictionary<string, string> Parse(string snapshot)
    {
        // A block starts at a line "## <payload name>" and runs to the next such line.
        var outcomes = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        var block = new StringBuilder();
        foreach (var line in snapshot.ReplaceLineEndings("\n").Split('\n').Append("## "))
        {
            if (!line.StartsWith("## ", StringComparison.Ordinal)) { block.Append(line).Append('\n'); continue; }
            if (name is not null) outcomes[name] = block.ToString().TrimEnd('\n') + "\n";
            name = line[3..];
            block.Clear();
        }
        return outcomes;
    }
}
