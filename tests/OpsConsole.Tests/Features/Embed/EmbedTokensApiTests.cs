using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace OpsConsole.Tests.Features.Embed;

/// <summary>The admins' API for wall-screen tokens: who may use it, what it refuses, and that what it makes works.</summary>
public sealed class EmbedTokensApiTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public EmbedTokensApiTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Only_admins_make_or_revoke_tokens()
    {
        var anonymous = await _factory.CreateClient().PostAsJsonAsync("/api/v1/embed-tokens", new { label = "lobby" });
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        foreach (var role in new[] { "Viewer", "Operator" })
        {
            var client = await _factory.SignedInClientAsync(role);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.PostAsJsonAsync("/api/v1/embed-tokens", new { label = "lobby" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/api/v1/embed-tokens/1")).StatusCode);
        }
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM embed_tokens WHERE Label = 'lobby'"));
    }

    [Fact]
    public async Task A_scoped_token_opens_its_panel_until_revoked_and_both_steps_are_audited()
    {
        var admin = await _factory.SignedInClientAsync("Admin");

        var response = await admin.PostAsJsonAsync("/api/v1/embed-tokens", new { label = "hall B", panel = "/embed/failing?family=exit" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.ReadJsonAsync();
        var id = created.GetProperty("id").GetInt32();
        var secret = created.GetProperty("secret").GetString()!;
        Assert.Equal($"/api/v1/embed-tokens/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(secret[^4..], created.GetProperty("hint").GetString());

        var panel = $"/embed/failing?family=exit&token={Uri.EscapeDataString(secret)}";
        Assert.Equal(HttpStatusCode.OK, (await _factory.CreateClient().GetAsync(panel)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync($"/embed/summary?token={Uri.EscapeDataString(secret)}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/embed-tokens/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await _factory.CreateClient().GetAsync(panel)).StatusCode);
        Assert.Equal(1, _factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'token.create' AND Target = 'hall B'"));
        Assert.Equal(1, _factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'token.revoke' AND Target = 'hall B'"));

        // Revoked already, or never made: a 404 problem, and nothing more in the trail.
        foreach (var missing in new[] { id, 987_654 })
        {
            var again = await admin.DeleteAsync($"/api/v1/embed-tokens/{missing}");
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(1, _factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'token.revoke' AND Target = 'hall B'"));
    }

    [Theory]
    [InlineData("""{"label":"x","panel":"/admin/users"}""", "panel")]
    [InlineData("""{"label":"x","panel":"https://elsewhere.example/embed/failing"}""", "panel")]
    [InlineData("""{"label":"x","panel":"//elsewhere.example/embed/failing"}""", "panel")]
    [InlineData("""{"label":"x","panel":"/embed/../admin"}""", "panel")]
    [InlineData("""{"label":"x","panel":"/embed/failing?family=LONG"}""", "panel")]
    [InlineData("""{"label":"LONG"}""", "label")]
    public async Task Bad_fields_are_refused_with_a_problem_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var admin = await _factory.SignedInClientAsync("Admin");
        var before = _factory.Scalar("SELECT COUNT(*) FROM embed_tokens");

        var response = await admin.PostAsync("/api/v1/embed-tokens",
            new StringContent(body.Replace("LONG", new string('a', 1_000), StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(field, (await response.ReadJsonAsync()).GetProperty("field").GetString());
        Assert.Equal(before, _factory.Scalar("SELECT COUNT(*) FROM embed_tokens"));
    }

    [Theory]
    [InlineData("{\"label\":")]
    [InlineData("[1,2]")]
    [InlineData("{\"label\":42}")]
    public async Task A_body_that_is_not_a_token_request_is_a_400_problem(string body)
    {
        var admin = await _factory.SignedInClientAsync("Admin");
        var before = _factory.Scalar("SELECT COUNT(*) FROM embed_tokens");

        var response = await admin.PostAsync("/api/v1/embed-tokens", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, _factory.Scalar("SELECT COUNT(*) FROM embed_tokens"));
    }

    [Fact]
    public async Task A_token_without_a_label_is_named_for_what_it_is()
    {
        var admin = await _factory.SignedInClientAsync("Admin");

        var created = await (await admin.PostAsJsonAsync("/api/v1/embed-tokens", new { label = "   " })).ReadJsonAsync();

        Assert.Equal("wall screen", created.GetProperty("label").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("scope").ValueKind);
    }
}
