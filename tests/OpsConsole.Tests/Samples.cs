using System.Text.Json;

namespace OpsConsole.Tests;

/// <summary>The payloads in shared/samples (beside the repository) and their expected categories.</summary>
public static class Samples
{
    public static string Root { get; } = Locate();

    public static string Read(string relative) => File.ReadAllText(Path.Combine(Root, relative));

    public static IReadOnlyDictionary<string, SampleLabel> Labels { get; } = LoadLabels();

    public static TheoryData<string> LabelledFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Labels.Keys.Order(StringComparer.Ordinal)) data.Add(file);
        return data;
    }

    private static Dictionary<string, SampleLabel> LoadLabels()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "labels.json")));
        return document.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => new SampleLabel(
            p.Value.GetProperty("endpoint").GetString()!,
            p.Value.GetProperty("expected").EnumerateArray().Select(e => e.GetString()!).ToList(),
            p.Value.TryGetProperty("allowed", out var allowed) ? allowed.EnumerateArray().Select(e => e.GetString()!).ToList() : [],
            p.Value.TryGetProperty("content_type", out var type) ? type.GetString()! : "application/json"));
    }

    private static string Locate()
    {
        if (Environment.GetEnvironmentVariable("OPSCONSOLE_SAMPLES") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "samples");
            if (File.Exists(Path.Combine(candidate, "labels.json"))) return candidate;
        }
        throw new InvalidOperationException(
            "shared/samples was not found beside the repository (set OPSCONSOLE_SAMPLES to its path).");
    }
}

public sealed record SampleLabel(string Endpoint, IReadOnlyList<string> Expected, IReadOnlyList<string> Allowed, string ContentType)
{
    /// <summary>Every expected id (a|b: either) is present and nothing but expected, allowed or none appears.</summary>
    public string? Mismatch(IReadOnlyCollection<string> categories)
    {
        var permitted = new HashSet<string>(Allowed) { "none" };
        foreach (var expected in Expected)
        {
            var alternatives = expected.Split('|');
            permitted.UnionWith(alternatives);
            if (!alternatives.Any(categories.Contains)) return $"missing {expected}";
        }
        var extra = categories.Where(c => !permitted.Contains(c)).ToList();
        return extra.Count > 0 ? $"unexpected {string.Join(", ", extra)}" : null;
    }
}
