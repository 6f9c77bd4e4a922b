using System.Net;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>Another site's page cannot open a circuit or change state; absolute links never echo an unchecked Host.</summary>
public sealed class OriginTests : IClassFixture<OriginTests.Fixture>
{
    private readonly Fixture _factory;

    public OriginTests(Fixture factory) => _factory = factory;

    public sealed class Fixture() : OpsConsoleFactory(new Dictionary<string, string?> { ["OpsConsole:AllowedOrigins:0"] = "https://noc.example.com" });

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? origin, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (origin is not null) request.Headers.Add("Origin", origin);
        request.Headers.Add("X-Api-Key", OpsConsoleFactory.ApiKey);
        return await _factory.CreateClient().SendAsync(request);
    }

    [Theory]
    [InlineData("/_blazor/negotiate?negotiateVersion=1")]
    [InlineData("/api/v1/reclassify")]
    public async Task A_foreign_origin_is_refused_with_a_403_problem(string url)
    {
        var response = await SendAsync(HttpMethod.Post, url, "http://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("evil.example", (await response.ReadJsonAsync()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_foreign_origin_cannot_acknowledge()
    {
        var response = await SendAsync(HttpMethod.Put, "/api/v1/instances/docker/local/x/acknowledgement", "http://evil.example",
            new StringContent("""{"status":"muted"}""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("http://localhost")] // the test server's own origin
    [InlineData("https://noc.example.com")] // OpsConsole:AllowedOrigins
    [InlineData(null)] // not a browser
    public async Task Own_configured_and_absent_origins_open_the_hub(string? origin)
    {
        var response = await SendAsync(HttpMethod.Post, "/_blazor/negotiate?negotiateVersion=1", origin);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Runbook_urls_do_not_echo_an_unchecked_host()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/categories");
        request.Headers.Host = "evil.example";
        request.Headers.Add("X-Api-Key", OpsConsoleFactory.ApiKey);
        var categories = await (await _factory.CreateClient().SendAsync(request)).ReadJsonAsync();
        var url = categories.EnumerateArray().First(c => c.GetProperty("id").GetString() == "vm.api.quota").GetProperty("runbookUrl").GetString();
        Assert.DoesNotContain("evil.example", url);
        Assert.EndsWith("/runbooks/vm.api.quota", url);
    }

    [Fact]
    public async Task Allowed_hosts_is_honoured_and_then_the_host_is_trusted_for_links()
    {
        using var factory = new OpsConsoleFactory(new() { ["AllowedHosts"] = "console.example.org" });
        var evil = new HttpRequestMessage(HttpMethod.Get, "/api/v1/categories");
        evil.Headers.Host = "evil.example";
        evil.Headers.Add("X-Api-Key", OpsConsoleFactory.ApiKey);
        Assert.Equal(HttpStatusCode.BadRequest, (await factory.CreateClient().SendAsync(evil)).StatusCode);

        var good = new HttpRequestMessage(HttpMethod.Get, "/api/v1/categories");
        good.Headers.Host = "console.example.org";
        good.Headers.Add("X-Api-Key", OpsConsoleFactory.ApiKey);
        var categories = await (await factory.CreateClient().SendAsync(good)).ReadJsonAsync();
        Assert.StartsWith("http://console.example.org/runbooks/", categories.EnumerateArray().First(c => c.GetProperty("id").GetString() == "vm.api.quota").GetProperty("runbookUrl").GetString());
    }
}
