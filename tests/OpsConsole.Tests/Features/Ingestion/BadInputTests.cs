using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>Bad input gets a clear 400/413 problem naming item and field, never a 500, and writes nothing.</summary>
public sealed class BadInputTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public BadInputTests(OpsConsoleFactory factory) => _factory = factory;

    [Theory]
    [InlineData("container-exits", "{\"kind\":\"Pod\",", null, null, "not valid JSON")]
    [InlineData("container-exits", "[]", null, null, null)]
    [InlineData("container-exits", "42", null, null, "object or array")]
    [InlineData("container-exits", "{\"hello\":\"world\"}", 0, null, "no recognised shape")]
    [InlineData("container-exits", "{\"kind\":\"Pod\",\"metadata\":{\"namespace\":\"x\"}}", 0, "metadata.name", "missing")]
    [InlineData("container-exits", "[{\"source\":\"ci\",\"instance\":\"a\",\"exitCode\":1},{\"source\":\"ci\",\"instance\":\"b\",\"exitCode\":{\"x\":1}}]", 1, "exitCode", "integer")]
    [InlineData("container-exits", "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"name\":\"c\",\"state\":{\"terminated\":{\"exitCode\":\"boom\"}}}]}}", 0, "status.containerStatuses[0].state.terminated.exitCode", "integer")]
    [InlineData("container-exits", "{\"Type\":\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"x\",\"Attributes\":{\"exitCode\":\"1\"}},\"time\":\"yesterday\"}", 0, "time", "timestamp")]
    [InlineData("unit-status", "{\"header\":{\"version\":7},\"data\":{\"messageType\":\"desiredStatus\"}}", 0, "data.messageType", "not ingested")]
    [InlineData("unit-status", "{\"header\":{\"version\":7},\"data\":{\"messageType\":\"unitStatus\",\"instances\":[{\"item\":{\"id\":\"i\"},\"subject\":{\"id\":\"s\"},\"instances\":[{\"instance\":1}]}]}}", 0, "data.instances[0].instances[0].state", "missing")]
    [InlineData("vm-events", "{\"count\":1,\"events\":[{\"node\":\"abc\",\"type\":\"x\",\"created\":\"Mon, 23 Jun. 2025 08:52:10\"},{\"type\":\"x\"}]}", 1, "events[1].node", "missing")]
    [InlineData("vm-events", "{\"source\":\"x\",\"instance\":\"vm1\",\"stage\":\"boot\",\"status\":\"error\"}", 0, "timestamp", "missing")]
    [InlineData("vm-events", "{\"oslo.version\":\"2.0\",\"oslo.message\":\"{not json\"}", 0, "oslo.message", "JSON notification")]
    public async Task Bad_payloads_get_a_400_naming_the_item_and_field(string endpoint, string body, int? item, string? field, string? detail)
    {
        var before = _factory.Scalar("SELECT COUNT(*) FROM records");
        var response = await _factory.CreateApiClient().PostJsonTextAsync($"/api/v1/{endpoint}", body);
        var problem = await response.ReadJsonAsync();

        if (body == "[]")
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode); // an empty batch is valid and stores nothing
            Assert.Equal(0, problem.GetProperty("accepted").GetInt32());
            return;
        }
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        if (item is null) Assert.Equal(JsonValueKind.Null, problem.GetProperty("item").ValueKind);
        else Assert.Equal(item, problem.GetProperty("item").GetInt32());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
        if (detail is not null) Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal(before, _factory.Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task A_batch_with_one_bad_item_writes_nothing()
    {
        var good = Enumerable.Range(0, 20).Select(i => $"{{\"source\":\"ci\",\"instance\":\"job-{i}\",\"exitCode\":1}}");
        var body = "[" + string.Join(",", good) + ",{\"source\":\"ci\"}]";
        var before = _factory.Scalar("SELECT COUNT(*) FROM records");

        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits", body);
        var problem = await response.ReadJsonAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(20, problem.GetProperty("item").GetInt32());
        Assert.Equal("instance", problem.GetProperty("field").GetString());
        Assert.Equal(before, _factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE InstanceKey LIKE 'ci/job-%'"));
    }

    [Fact]
    public async Task Over_ten_thousand_items_is_a_413()
    {
        var body = "[" + string.Join(",", Enumerable.Repeat("{\"source\":\"ci\",\"instance\":\"x\",\"exitCode\":1}", 10_001)) + "]";
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits", body);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("10001 items", (await response.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_list_shape_with_too_many_entries_is_a_413()
    {
        var items = string.Join(",", Enumerable.Repeat("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}", 10_001));
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/container-exits", $"{{\"kind\":\"PodList\",\"items\":[{items}]}}");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_even_when_it_arrives_compressed()
    {
        using var small = new OpsConsoleFactory(new Dictionary<string, string?> { ["Ingestion:MaxBodyBytes"] = "2048" });
        var api = small.CreateApiClient();
        var big = "[" + string.Join(",", Enumerable.Repeat("{\"source\":\"ci\",\"instance\":\"x\",\"exitCode\":1}", 100)) + "]";

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await api.PostJsonTextAsync("/api/v1/container-exits", big)).StatusCode);
        var gzipped = await api.SendAsync(Gzip("/api/v1/container-exits", big));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, gzipped.StatusCode);
        Assert.Contains("decompressed", (await gzipped.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Gzip_bodies_are_accepted()
    {
        var response = await _factory.CreateApiClient().SendAsync(Gzip("/api/v1/vm-events", Samples.Read("nova/server-fault-libvirt-error.json")));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("vm.compute.hypervisor", (await response.ReadJsonAsync()).GetProperty("records")[0].GetProperty("category").GetString());
    }

    [Fact]
    public async Task Broken_gzip_is_a_400()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/vm-events") { Content = new ByteArrayContent([1, 2, 3, 4, 5]) };
        request.Content.Headers.ContentEncoding.Add("gzip");
        var response = await _factory.CreateApiClient().SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_format_override_is_a_400_listing_the_formats()
    {
        var response = await _factory.CreateApiClient().PostJsonTextAsync("/api/v1/vm-events?format=azure", "{}");
        var problem = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("format", problem.GetProperty("field").GetString());
        Assert.Contains("nova, maas, simple", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Long_messages_are_cut_and_the_record_says_so()
    {
        var message = new string('x', 10_000);
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits",
            JsonSerializer.Serialize(new { source = "ci", instance = "long", exitCode = 1, message }));
        var id = result.GetProperty("records")[0].GetProperty("id").GetInt64();
        var record = await (await _factory.CreateApiClient().GetAsync($"/api/v1/records/{id}")).ReadJsonAsync();
        Assert.Equal(4000, record.GetProperty("message").GetString()!.Length);
        Assert.Equal("message", record.GetProperty("truncated").GetString());
        Assert.Contains(message, record.GetProperty("raw").GetRawText());
    }

    private static HttpRequestMessage Gzip(string url, string json)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            gzip.Write(Encoding.UTF8.GetBytes(json));
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(buffer.ToArray()) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Content.Headers.ContentEncoding.Add("gzip");
        return request;
    }
}
