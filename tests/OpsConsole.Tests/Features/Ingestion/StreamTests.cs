using System.Net;
using System.Text.Json;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>A stream keeps every value that parses; a bad line is skipped and named, never the whole request.</summary>
public sealed class StreamTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public StreamTests(OpsConsoleFactory factory) => _factory = factory;

    private static string Exit(string instance, int code) => $"{{\"source\":\"ci\",\"instance\":\"{instance}\",\"exitCode\":{code}}}";

    [Fact]
    public async Task A_malformed_line_is_listed_as_rejected_and_the_rest_is_stored()
    {
        var before = OpsMetrics.IngestRejectedLines.WithLabels("container").Value;
        var body = $"{Exit("stream-a", 1)}\n{{\"source\":\"ci\",\"instance\":\"broken\n{Exit("stream-b", 137)}\nnot json at all\n";

        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", body, "application/x-ndjson");

        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        var rejected = result.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([2, 4], rejected.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Contains("not valid JSON", rejected[0].GetProperty("problem").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not json at all", rejected[1].GetProperty("problem").GetString(), StringComparison.Ordinal);
        Assert.True(OpsMetrics.IngestRejectedLines.WithLabels("container").Value >= before + 2);
    }

    [Fact]
    public async Task Pretty_printed_objects_back_to_back_are_a_stream()
    {
        var pretty = string.Join("\n", new[] { ("pretty-a", 1), ("pretty-b", 2) }.Select(e =>
            JsonSerializer.Serialize(new { source = "ci", instance = e.Item1, exitCode = e.Item2 }, new JsonSerializerOptions { WriteIndented = true })));

        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", pretty);

        Assert.Equal(2, result.GetProperty("accepted").GetInt32());
        Assert.False(result.TryGetProperty("rejected", out _));
    }

    [Fact]
    public async Task Blank_lines_and_spaced_keys_of_az_logs_show_are_read()
    {
        var body = "{\"TimeStamp\": \"2025-08-26T17:44:46Z\", \"Type\": \"Normal\", \"ContainerAppName\": null, \"RevisionName\": null, \"ReplicaName\": null, \"Msg\": \"Connecting to the events collector...\", \"Reason\": \"StartingGettingEvents\", \"EventSource\": \"ContainerAppController\", \"Count\": 1}\n\n"
                   + "{\"TimeStamp\": \"2025-08-26 17:42:19.4145161 +0000 UTC\", \"Type\": \"Warning\", \"ContainerAppName\": \"stream-app\", \"RevisionName\": \"stream-app--r1\", \"ReplicaName\": \"stream-app--r1-abc\", \"Msg\": \"Container 'app' was terminated with exit code '1' and reason 'ProcessExited'\", \"Reason\": \"ContainerTerminated\", \"EventSource\": \"ContainerAppController\", \"Count\": 1}\n\n";

        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", body);
        var record = Assert.Single(await _factory.CreateApiClient().ReadRecordsAsync(result));

        Assert.Equal("aca/stream-app/stream-app--r1", record.GetProperty("instance").GetString());
        Assert.Equal(1, record.GetProperty("exitCode").GetInt32());
    }

    [Fact]
    public async Task A_stream_in_which_nothing_parses_is_a_400()
    {
        var before = _factory.Scalar("SELECT COUNT(*) FROM records");
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits", "{\"a\":\n{\"b\"\n{{{\n", "application/x-ndjson");
        var problem = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("line 1", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, _factory.Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task A_document_stays_all_or_nothing()
    {
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits", $"[{Exit("doc-a", 1)},{{\"source\":\"ci\"}}]");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
