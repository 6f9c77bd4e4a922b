namespace OpsConsole.Tests.Features.Classification;

/// <summary>Every labelled sample, through the real ingestion endpoint, gets exactly the categories labels.json lists.</summary>
public sealed class LabelledSampleTests
{
    public static TheoryData<string> Files => Samples.LabelledFiles();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Sample_gets_its_labelled_categories(string file)
    {
        using var factory = new OpsConsoleFactory();
        var label = Samples.Labels[file];
        var result = await factory.CreateApiClient().PostOkAsync($"/api/v1/{label.Endpoint}", Samples.Read(file), label.ContentType);

        var categories = result.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("category").GetString()!).ToHashSet();
        Assert.Null(label.Mismatch(categories) is { } problem ? $"{file}: {problem} (got {string.Join(", ", categories)})" : null);
    }

    [Fact]
    public async Task All_samples_in_one_store_still_get_their_labels()
    {
        using var factory = new OpsConsoleFactory();
        var api = factory.CreateApiClient();
        var problems = new List<string>();
        foreach (var (file, label) in Samples.Labels.OrderBy(l => l.Key, StringComparer.Ordinal))
        {
            var result = await api.PostOkAsync($"/api/v1/{label.Endpoint}", Samples.Read(file), label.ContentType);
            var categories = result.GetProperty("records").EnumerateArray().Select(r => r.GetProperty("category").GetString()!).ToHashSet();
            if (label.Mismatch(categories) is { } problem) problems.Add($"{file}: {problem}");
        }
        Assert.Empty(problems);
    }
}
