using OpsConsole.Features.Ingestion;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>Every stored string has a cap, the raw copy of an item too, and metric labels stay bounded.</summary>
public sealed class SizeLimitTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public SizeLimitTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task A_huge_item_keeps_a_capped_raw_copy_marked_as_cut()
    {
        var api = _factory.CreateApiClient();
        var body = $$"""{"source":"ci","instance":"big-1","exitCode":1,"message":"{{new string('m', 2_000_000)}}","finishedAt":"2026-01-01T00:00:00Z"}""";
        var posted = await api.PostOkAsync("/api/v1/container-exits", body);
        var id = posted.GetProperty("records")[0].GetProperty("id").GetInt64();

        var stored = await (await api.GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
        Assert.Equal("message,raw", stored.GetProperty("truncated").GetString());
        var raw = stored.GetProperty("raw");
        Assert.True(raw.GetProperty("opsconsoleTruncated").GetBoolean());
        Assert.Equal(body.Length, raw.GetProperty("originalLength").GetInt32());
        Assert.Equal(64 * 1024, raw.GetProperty("head").GetString()!.Length);
        Assert.True(_factory.Scalar($"SELECT length(RawJson) FROM records WHERE Id = {id}") < 70_000);
    }

    [Fact]
    public async Task A_long_source_is_cut_and_named()
    {
        var source = new string('s', 5000);
        var api = _factory.CreateApiClient();
        var posted = await api.PostOkAsync("/api/v1/container-exits", $$"""{"source":"{{source}}","instance":"i-1","exitCode":1,"finishedAt":"2026-01-01T00:00:00Z"}""");
        var stored = await (await api.GetAsync($"/api/v1/records/{posted.GetProperty("records")[0].GetProperty("id").GetInt64()}")).ReadJsonAsync();
        Assert.Equal(RecordLimits.MaxSource, stored.GetProperty("source").GetString()!.Length);
        Assert.Contains("source", stored.GetProperty("truncated").GetString());
    }

    [Fact]
    public void Sources_beyond_the_label_limit_fold_into_other_and_built_in_sources_never_do()
    {
        var seen = Enumerable.Range(0, 200).Select(i => OpsMetrics.SourceLabel($"label-test-{i}", 50)).ToList();
        Assert.Contains(OpsMetrics.OtherSource, seen);
        Assert.True(seen.Distinct().Count() <= 51);
        Assert.Equal("docker", OpsMetrics.SourceLabel("docker", 50));
        Assert.Equal(seen[0], OpsMetrics.SourceLabel("label-test-0", 50));
    }

    [Fact]
    public async Task Many_distinct_sources_keep_the_metrics_page_small()
    {
        var api = _factory.CreateApiClient();
        var items = Enumerable.Range(0, 2000).Select(i => $$"""{"source":"flood-{{i}}","instance":"i","exitCode":1,"finishedAt":"2026-01-01T00:00:00Z"}""");
        await api.PostOkAsync("/api/v1/container-exits", "[" + string.Join(",", items) + "]");
        var metrics = await _factory.CreateClient().GetStringAsync("/metrics");
        Assert.True(metrics.Split('\n').Count(l => l.StartsWith("opsconsole_records_ingested_total{", StringComparison.Ordinal)) <= 60);
    }
}
