using System.Text.Json;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>Every shared sample goes in through its endpoint and comes back through the read APIs.</summary>
public abstract class SampleRoundTripTests<TFactory> : IClassFixture<TFactory> where TFactory : OpsConsoleFactory
{
    private readonly TFactory _factory;

    protected SampleRoundTripTests(TFactory factory) => _factory = factory;

    public static TheoryData<string> Files => Samples.LabelledFiles();

    [Theory]
    [MemberData(nameof(Files))]
    public async Task Each_sample_is_accepted_and_every_record_reads_back(string file)
    {
        var label = Samples.Labels[file];
        var api = _factory.CreateApiClient();
        var result = await api.PostOkAsync($"/api/v1/{label.Endpoint}", Samples.Read(file), label.ContentType);

        var records = result.GetProperty("records").EnumerateArray().ToList();
        Assert.NotEmpty(records);
        foreach (var summary in records)
        {
            var id = summary.GetProperty("id").GetInt64();
            var stored = await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
            Assert.Equal(summary.GetProperty("instance").GetString(), stored.GetProperty("instance").GetString());
            Assert.Equal(summary.GetProperty("category").GetString(), stored.GetProperty("category").GetString());
            Assert.Equal(JsonValueKind.Object, stored.GetProperty("raw").ValueKind);
            Assert.False(string.IsNullOrEmpty(stored.GetProperty("ruleId").GetString()));

            var timeline = await (await api.GetAsync($"/api/v1/instances/{Uri.EscapeDataString(stored.GetProperty("instance").GetString()!)}/timeline")).ReadJsonAsync();
            Assert.Contains(timeline.GetProperty("records").EnumerateArray(), r => r.GetProperty("id").GetInt64() == id);
        }
    }
}

public sealed class SampleRoundTripTests(OpsConsoleFactory factory) : SampleRoundTripTests<OpsConsoleFactory>(factory);

public sealed class PostgresSampleRoundTripTests(OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory factory) : SampleRoundTripTests<OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory>(factory);
