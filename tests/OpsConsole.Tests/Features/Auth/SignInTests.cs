using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using OpsConsole.Tests.Features.Ingestion;

namespace OpsConsole.Tests.Features.Auth;

/// <summary>Sign-in through the real forms: the first admin, the one-time set-up link, failures, lockout, sign-out.</summary>
public sealed partial class SignInTests
{
    [Fact]
    public async Task The_initial_admin_from_configuration_signs_in_and_out()
    {
        using var factory = new OpsConsoleFactory();
        var client = factory.CreateClient();

        var signedIn = await client.SignInAsync(OpsConsoleFactory.AdminEmail, OpsConsoleFactory.Password, "/sources");
        Assert.Equal("/sources", signedIn.RequestMessage!.RequestUri!.AbsolutePath);
        var page = await signedIn.Content.ReadAsStringAsync();
        Assert.Contains($"{OpsConsoleFactory.AdminEmail} · Admin", page);

        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        var signedOut = await client.PostAsync("/account/signout",
            new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        Assert.Equal("/account/signin", signedOut.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal("/account/signin", (await client.GetAsync("/")).RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(1, factory.Scalar($"SELECT COUNT(*) FROM audit_log WHERE Action = 'signout' AND Actor = '{OpsConsoleFactory.AdminEmail}'"));
    }

    [Fact]
    public async Task A_return_url_to_another_site_lands_on_the_console_instead()
    {
        using var factory = new OpsConsoleFactory();
        var response = await factory.CreateClient().SignInAsync(OpsConsoleFactory.AdminEmail, OpsConsoleFactory.Password, "//evil.example/x");
        Assert.Equal("localhost", response.RequestMessage!.RequestUri!.Host);
        Assert.Equal("/", response.RequestMessage.RequestUri.AbsolutePath);
    }

    [Fact]
    public async Task Wrong_passwords_are_audited_and_lock_the_account_after_five()
    {
        using var factory = new OpsConsoleFactory();
        var client = factory.CreateClient();

        var wrong = await client.SignInAsync(OpsConsoleFactory.AdminEmail, "not-the-password-1");
        Assert.Equal("/account/signin", wrong.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Wrong email or password", await wrong.Content.ReadAsStringAsync());
        for (var i = 0; i < 4; i++) await client.SignInAsync(OpsConsoleFactory.AdminEmail, "not-the-password-1");

        var locked = await client.SignInAsync(OpsConsoleFactory.AdminEmail, OpsConsoleFactory.Password);
        Assert.Equal("/account/signin", locked.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("locked", await locked.Content.ReadAsStringAsync());
        Assert.Equal(6, factory.Scalar($"SELECT COUNT(*) FROM audit_log WHERE Action = 'signin.failed' AND Actor = '{OpsConsoleFactory.AdminEmail}'"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'signin'"));
    }

    [Fact]
    public async Task Sign_in_attempts_are_rate_limited_per_client()
    {
        using var factory = new OpsConsoleFactory();
        var client = factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++) statuses.Add((await client.SignInAsync($"nobody{i}@test.local", "whatever-password-1")).StatusCode);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task Without_an_initial_admin_a_one_time_set_up_link_is_logged_and_makes_the_first_admin()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = new NoAdminFactory(logs);
        var client = factory.CreateClient();
        Assert.Contains("set-up link", await client.GetStringAsync("/account/signin"));

        var line = Assert.Single(logs.Messages, m => m.Contains("/account/setup?token=", StringComparison.Ordinal));
        var link = new Uri(line[line.IndexOf("http", StringComparison.Ordinal)..].Trim());
        var setupPage = await client.GetStringAsync(link.PathAndQuery);
        var form = new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken().Match(setupPage).Groups[1].Value,
            ["token"] = Uri.UnescapeDataString(link.Query.Split("token=")[1]),
            ["email"] = "first@test.local",
            ["password"] = "first-admin-pass-1",
        };
        var done = await client.PostAsync("/account/setup", new FormUrlEncodedContent(form));

        Assert.Equal("/", done.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("first@test.local · Admin", await done.Content.ReadAsStringAsync());
        Assert.Equal(1, factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'setup' AND Actor = 'first@test.local'"));

        // The link works once.
        var again = await factory.CreateClient().PostAsync("/account/setup", new FormUrlEncodedContent(form));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode); // the antiforgery token belonged to the other client
        Assert.Contains("Set-up is done", await factory.CreateClient().GetStringAsync(link.PathAndQuery));
        Assert.Equal(1, factory.Scalar("SELECT COUNT(*) FROM AspNetUsers"));
    }

    [Fact]
    public async Task An_anonymous_viewer_role_opens_pages_but_still_changes_nothing()
    {
        using var factory = new OpsConsoleFactory(new Dictionary<string, string?> { ["Auth:AnonymousRole"] = "Viewer" });
        await factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", """{"source":"docker","instance":"a","host":"h","exitCode":1}""");
        var anonymous = factory.CreateClient();

        var home = await anonymous.GetAsync("/");
        Assert.Equal("/", home.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/api/v1/instances/failing")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PutAsJsonAsync("/api/v1/instances/docker/h/a/acknowledgement", new { status = "muted" })).StatusCode);
        Assert.Equal("/account/signin", (await anonymous.GetAsync("/admin/users")).RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM instance_acknowledgements"));
    }

    [Fact]
    public void An_unknown_anonymous_role_stops_start_up_with_a_message()
    {
        using var factory = new OpsConsoleFactory(new Dictionary<string, string?> { ["Auth:AnonymousRole"] = "Superuser" });
        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("Auth:AnonymousRole", error.ToString());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();

    private sealed class NoAdminFactory(CapturingLoggerProvider logs)
        : OpsConsoleFactory(new Dictionary<string, string?> { ["Auth:InitialAdmin:Email"] = "" })
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
    }
}
