using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Embed;

namespace OpsConsole.Tests.Features.Embed;

/// <summary>Who may open and frame panels: tokens, their scope, and the frame-ancestors policy.</summary>
public sealed class EmbedAccessTests : IClassFixture<EmbedAccessTests.Fixture>
{
    public const string WallToken = "wall-token-7c1e";
    private readonly Fixture _factory;

    public EmbedAccessTests(Fixture factory) => _factory = factory;

    public sealed class Fixture() : OpsConsoleFactory(new Dictionary<string, string?>
    {
        ["Embed:Tokens:0"] = WallToken,
        ["Embed:FrameAncestors"] = "https://noc.example.com",
    });

    [Fact]
    public async Task A_panel_without_a_valid_token_is_a_401_problem()
    {
        foreach (var url in new[] { "/embed/failing", "/embed/failing?token=guess", "/embed/summary?token=" })
        {
            var response = await _factory.CreateClient().GetAsync(url);

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal("token", (await response.ReadJsonAsync()).GetProperty("field").GetString());
        }
    }

    [Theory]
    [InlineData("/embed/failing", "panel-failing")]
    [InlineData("/embed/summary", "panel-summary")]
    [InlineData("/embed/category/exit.app-error", "panel-failing")]
    [InlineData("/embed/instance/k8s/prod/shop/api/api", "panel-instance")]
    [InlineData("/embed/sources", "panel-sources")]
    [InlineData("/embed/rotate?panels=summary,failing", "panel-summary")]
    public async Task Every_panel_opens_with_a_token_and_may_be_framed_by_the_configured_ancestors(string path, string panel)
    {
        var response = await _factory.CreateClient().GetAsync($"{path}{(path.Contains('?') ? '&' : '?')}token={WallToken}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.EndsWith("; frame-ancestors https://noc.example.com", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains($"class=\"panel {panel}\"", html);
        Assert.DoesNotContain("mud-appbar", html); // chromeless
        Assert.DoesNotContain("mud-drawer", html);
    }

    [Fact]
    public async Task Operator_pages_may_only_be_framed_by_the_console_itself()
    {
        foreach (var path in new[] { "/", "/runbooks", "/panels", "/healthz" })
        {
            var response = await _factory.CreateClient().GetAsync(path);
            Assert.EndsWith("; frame-ancestors 'self'", response.Headers.GetValues("Content-Security-Policy").Single());
        }
    }

    [Fact]
    public async Task A_token_opens_nothing_but_panels()
    {
        var client = _factory.CreateClient();

        var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/records");
        read.Headers.Add("X-Api-Key", WallToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(read)).StatusCode);

        var write = new HttpRequestMessage(HttpMethod.Post, "/api/v1/container-exits") { Content = new StringContent(Samples.Read("k8s/pod-evicted-memory-pressure.json")) };
        write.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", WallToken);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(write)).StatusCode);

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/api/v1/categories?token={WallToken}")).StatusCode);
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task Tokens_made_in_the_console_work_until_revoked_and_only_their_hash_is_stored()
    {
        var store = _factory.Services.GetRequiredService<EmbedTokenStore>();
        var (token, secret) = await store.CreateAsync("lobby screen", EmbedScope.Of(new Uri("http://console/embed/failing?theme=light")), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, (await _factory.CreateClient().GetAsync($"/embed/failing?token={Uri.EscapeDataString(secret)}")).StatusCode);
        // The token opens its own panel and filters (looks may change), nothing else.
        Assert.Equal(HttpStatusCode.OK, (await _factory.CreateClient().GetAsync($"/embed/failing?title=Lobby&token={Uri.EscapeDataString(secret)}")).StatusCode);
        foreach (var other in new[] { "/embed/summary", "/embed/failing?family=vm", "/embed/instance/k8s/prod/shop/api/api", "/embed/rotate?panels=failing,summary" })
            Assert.Equal(HttpStatusCode.Unauthorized,
                (await _factory.CreateClient().GetAsync($"{other}{(other.Contains('?') ? '&' : '?')}token={Uri.EscapeDataString(secret)}")).StatusCode);
        Assert.Equal(0, _factory.Scalar($"SELECT COUNT(*) FROM embed_tokens WHERE CAST(TokenHash AS TEXT) LIKE '%{secret[4..12]}%'"));
        Assert.Equal(secret[^4..], token.Hint);

        await store.RevokeAsync(token.Id, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync($"/embed/failing?token={Uri.EscapeDataString(secret)}")).StatusCode);
    }

    [Fact]
    public async Task The_theme_follows_the_query()
    {
        var light = await _factory.CreateClient().GetStringAsync($"/embed/summary?theme=light&token={WallToken}");
        var dark = await _factory.CreateClient().GetStringAsync($"/embed/summary?token={WallToken}");

        Assert.Contains("embed embed-light", light);
        Assert.Contains("embed embed-dark", dark);
    }
}

public sealed class AnonymousEmbedTests : IClassFixture<AnonymousEmbedTests.Fixture>
{
    private readonly Fixture _factory;

    public AnonymousEmbedTests(Fixture factory) => _factory = factory;

    public sealed class Fixture() : OpsConsoleFactory(new Dictionary<string, string?> { ["Embed:AllowAnonymous"] = "true" });

    [Fact]
    public async Task With_anonymous_embeds_allowed_a_panel_opens_without_a_token_but_the_api_still_needs_a_key()
    {
        var client = _factory.CreateClient();

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/embed/failing")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/records")).StatusCode);
    }
}
