using System.Net;
using OpsConsole.Tests.Corpus;

namespace OpsConsole.Tests.Sources.Kubernetes;

/// <summary>
/// kubernetes-event-exporter's webhook receiver posts each EnhancedEvent (an Event plus clusterName and the
/// involved object's labels) as it marshals it; pointing the receiver at the console is all the setup there is.
/// </summary>
public sealed class EventExporterTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public EventExporterTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task An_exporter_body_is_filed_under_its_clusterName()
    {
        var body = CorpusPayloads.Named("kubernetes/event-exporter-webhook-backoff-crashloop.json").Read();
        var api = _factory.CreateApiClient();

        var result = await api.PostOkAsync("/api/v1/container-exits", body);
        var record = Assert.Single(await api.ReadRecordsAsync(result));

        Assert.Equal("k8s/prod-eu/prod/inventory-799bc6c8f9-kvbzh/inventory", record.GetProperty("instance").GetString());
        Assert.Equal("BackOff", record.GetProperty("reason").GetString());
        Assert.Equal(42, record.GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Exporter_bodies_arrive_one_at_a_time_or_as_an_array()
    {
        var one = CorpusPayloads.Named("kubernetes/event-exporter-webhook-unhealthy-readiness.json").Read().Trim();
        var two = CorpusPayloads.Named("kubernetes/event-exporter-webhook-failed-secret-not-found.json").Read().Trim();

        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", $"[{one},{two}]");

        Assert.Equal(2, result.GetProperty("records").GetArrayLength());
    }

    [Fact]
    public async Task A_forced_kubernetes_format_that_recognises_nothing_is_a_400()
    {
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits?format=kubernetes", "{\"hello\":\"world\"}");
        var problem = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("kind", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_pod_without_kind_is_recognised_by_its_container_statuses()
    {
        var body = CorpusPayloads.Named("kubernetes/podlist-items-without-kind-segfault.json").Read();
        var api = _factory.CreateApiClient();

        var records = await api.ReadRecordsAsync(await api.PostOkAsync("/api/v1/container-exits?cluster=archive", body));

        Assert.Contains(records, r => r.GetProperty("exitCode").ValueKind == System.Text.Json.JsonValueKind.Number && r.GetProperty("exitCode").GetInt32() == 139);
    }
}
