using System.Net;
using System.Net.Http.Json;
using OpsConsole.Features.Auth;

namespace OpsConsole.Tests.Features.Auth;

/// <summary>What each role may do over HTTP (pages, and the API with a sign-in cookie), and that strangers change nothing.</summary>
public sealed class RoleAccessTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;
    private string _instance = "";

    public RoleAccessTests(OpsConsoleFactory factory) => _factory = factory;

    /// <summary>A failing instance of this test's own, so tests sharing the fixture do not see each other's acknowledgements.</summary>
    private async Task SeedAsync([System.Runtime.CompilerServices.CallerMemberName] string test = "")
    {
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits",
            $$"""{"source":"docker","cluster":"roles","instance":"{{test}}","exitCode":137,"reason":"OOMKilled"}""");
        _instance = result.GetProperty("records")[0].GetProperty("instance").GetString()!;
    }

    private string Instance => _instance;

    private string AcknowledgementUrl => $"/api/v1/instances/{Uri.EscapeDataString(Instance)}/acknowledgement";

    [Theory]
    [InlineData("/")]
    [InlineData("/instances")]
    [InlineData("/runbooks")]
    [InlineData("/runbooks/exit.oom-killed")]
    [InlineData("/sources")]
    [InlineData("/panels")]
    [InlineData("/silences")]
    [InlineData("/admin/users")]
    [InlineData("/admin/keys")]
    [InlineData("/admin/audit")]
    [InlineData("/admin/channels")]
    public async Task An_anonymous_browser_reaches_only_the_sign_in_page(string path)
    {
        var response = await _factory.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("/account/signin", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains($"returnUrl={Uri.EscapeDataString(path)}", response.RequestMessage.RequestUri.Query, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("name=\"password\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task No_anonymous_request_changes_anything()
    {
        await SeedAsync();
        var anonymous = _factory.CreateClient();
        var records = _factory.Scalar("SELECT COUNT(*) FROM records");

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PutAsJsonAsync(AcknowledgementUrl, new { status = "muted" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.DeleteAsync(AcknowledgementUrl)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsync("/api/v1/reclassify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostJsonTextAsync("/api/v1/container-exits",
            """{"source":"docker","instance":"x","host":"h","exitCode":1}""")).StatusCode);
        // A form post without the sign-in page's antiforgery token is refused before it reaches the password check.
        var forged = await anonymous.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = OpsConsoleFactory.AdminEmail, ["password"] = OpsConsoleFactory.Password,
        }));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        Assert.Equal(0, _factory.Scalar($"SELECT COUNT(*) FROM instance_acknowledgements WHERE InstanceKey = '{Instance}'"));
        Assert.Equal(records, _factory.Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task A_viewer_reads_everything_but_cannot_acknowledge_reclassify_or_open_admin_pages()
    {
        await SeedAsync();
        var viewer = await _factory.SignedInClientAsync(ConsoleRoles.Viewer);

        var home = await viewer.GetAsync("/");
        Assert.Equal("/", home.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("viewer@test.local", await home.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await viewer.GetAsync("/api/v1/instances/failing")).StatusCode);

        var refused = await viewer.PutAsJsonAsync(AcknowledgementUrl, new { status = "acknowledged", note = "mine" });
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        var problem = await refused.ReadJsonAsync();
        Assert.Equal("operate", problem.GetProperty("missingScope").GetString());
        Assert.Equal("Operator", problem.GetProperty("requiredRole").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.PostAsync("/api/v1/reclassify", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync("/api/v1/audit")).StatusCode);
        foreach (var admin in new[] { "/admin/users", "/admin/keys", "/admin/audit", "/admin/channels" })
            Assert.Equal("/account/denied", (await viewer.GetAsync(admin)).RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(0, _factory.Scalar($"SELECT COUNT(*) FROM instance_acknowledgements WHERE InstanceKey = '{Instance}'"));
    }

    [Fact]
    public async Task An_operator_acknowledges_under_their_own_name_but_cannot_administer()
    {
        await SeedAsync();
        var operatorClient = await _factory.SignedInClientAsync(ConsoleRoles.Operator);

        var response = await operatorClient.PutAsJsonAsync(AcknowledgementUrl, new { status = "acknowledged", note = "looking" });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("operator@test.local", (await response.ReadJsonAsync()).GetProperty("by").GetString());
        Assert.Equal(HttpStatusCode.Accepted, (await operatorClient.PostAsync("/api/v1/reclassify", null)).StatusCode);
        Assert.Equal("/account/denied", (await operatorClient.GetAsync("/admin/users")).RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, (await operatorClient.GetAsync("/api/v1/audit")).StatusCode);
        Assert.Equal(1, _factory.Scalar(
            $"SELECT COUNT(*) FROM audit_log WHERE Actor = 'operator@test.local' AND Action = 'instance.acknowledge' AND Target = '{Instance}'"));
    }

    [Fact]
    public async Task An_admin_opens_the_admin_pages_and_exports_the_audit_trail()
    {
        var admin = await _factory.SignedInClientAsync(ConsoleRoles.Admin);

        foreach (var page in new[] { "/admin/users", "/admin/keys", "/admin/audit", "/admin/channels" })
        {
            var response = await admin.GetAsync(page);
            Assert.Equal(page, response.RequestMessage!.RequestUri!.AbsolutePath);
        }
        Assert.Contains(OpsConsoleFactory.AdminEmail, await admin.GetStringAsync("/admin/users"));
        var audit = await (await admin.GetAsync("/api/v1/audit?action=signin")).ReadJsonAsync();
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("actor").GetString() == OpsConsoleFactory.AdminEmail);
    }
}
