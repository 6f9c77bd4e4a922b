using System.Net;
using System.Net.Http.Json;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>Acknowledge and mute through the API, and what the failing list does with them.</summary>
public abstract class AcknowledgementTests<TFactory> : IClassFixture<TFactory> where TFactory : OpsConsoleFactory
{
    private readonly TFactory _factory;

    protected AcknowledgementTests(TFactory factory) => _factory = factory;

    private async Task<string> FailingInstanceAsync(string cluster)
    {
        var result = await _factory.CreateApiClient().PostOkAsync($"/api/v1/container-exits?cluster={cluster}", Samples.Read("k8s/pod-evicted-memory-pressure.json"));
        return result.GetProperty("records").EnumerateArray().First(r => r.GetProperty("category").GetString() == "container.evicted").GetProperty("instance").GetString()!;
    }

    private async Task<List<string>> FailingAsync(string cluster, bool includeMuted = false)
    {
        var page = await (await _factory.CreateApiClient().GetAsync($"/api/v1/instances/failing?search={cluster}&includeMuted={includeMuted}&limit=500")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("instance").GetString()!).ToList();
    }

    [Fact]
    public async Task Muted_instances_are_hidden_unless_asked_for_and_come_back_when_cleared()
    {
        var instance = await FailingInstanceAsync("mute-a");
        var api = _factory.CreateApiClient();
        var url = $"/api/v1/instances/{Uri.EscapeDataString(instance)}/acknowledgement";

        var muted = await api.PutAsJsonAsync(url, new { status = "muted", note = "node drained for maintenance" });
        Assert.Equal(HttpStatusCode.OK, muted.StatusCode);
        Assert.DoesNotContain(instance, await FailingAsync("mute-a"));
        Assert.Contains(instance, await FailingAsync("mute-a", includeMuted: true));
        Assert.Equal("node drained for maintenance", (await muted.ReadJsonAsync()).GetProperty("note").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync(url)).StatusCode);
        Assert.Contains(instance, await FailingAsync("mute-a"));
    }

    [Fact]
    public async Task Simultaneous_first_acknowledgements_of_one_instance_all_succeed()
    {
        var instance = await FailingInstanceAsync("ack-race");
        var url = $"/api/v1/instances/{Uri.EscapeDataString(instance)}/acknowledgement";
        // Found with 30 concurrent clients: two inserts of the instance's first row raced and one answered 500.
        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            _factory.CreateApiClient().PutAsJsonAsync(url, new { status = i % 2 == 0 ? "acknowledged" : "muted", note = $"n{i}" })));
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(1, _factory.Scalar($"SELECT COUNT(*) FROM instance_acknowledgements WHERE InstanceKey = '{instance}'"));
    }

    [Fact]
    public async Task Acknowledged_instances_stay_listed_with_their_note()
    {
        var instance = await FailingInstanceAsync("ack-b");
        await _factory.CreateApiClient().PutAsJsonAsync($"/api/v1/instances/{Uri.EscapeDataString(instance)}/acknowledgement",
            new { status = "acknowledged", note = "looking" });

        var page = await (await _factory.CreateApiClient().GetAsync("/api/v1/instances/failing?search=ack-b")).ReadJsonAsync();
        var row = page.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("instance").GetString() == instance);
        Assert.Equal("acknowledged", row.GetProperty("acknowledgement").GetProperty("status").GetString());
        Assert.Equal("looking", row.GetProperty("acknowledgement").GetProperty("note").GetString());
        Assert.False(row.GetProperty("failedSinceAcknowledged").GetBoolean());
    }

    [Theory]
    [InlineData("{\"status\":\"snoozed\"}", 400)]
    [InlineData("{\"note\":\"no status\"}", 400)]
    public async Task Bad_acknowledgements_are_problems_naming_the_field(string body, int status)
    {
        var instance = await FailingInstanceAsync("bad-c");
        var response = await _factory.CreateApiClient().PutAsync($"/api/v1/instances/{Uri.EscapeDataString(instance)}/acknowledgement",
            new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("status", (await response.ReadJsonAsync()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Acknowledging_an_unknown_instance_is_a_404_problem()
    {
        var response = await _factory.CreateApiClient().PutAsJsonAsync("/api/v1/instances/k8s%2Fnowhere%2Fx/acknowledgement", new { status = "muted" });

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM instance_acknowledgements WHERE InstanceKey = 'k8s/nowhere/x'"));
    }
}

public sealed class AcknowledgementTests(OpsConsoleFactory factory) : AcknowledgementTests<OpsConsoleFactory>(factory);

public sealed class PostgresAcknowledgementTests(OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory factory) : AcknowledgementTests<OpsConsole.Tests.Data.Postgres.PostgresConsoleFactory>(factory);
