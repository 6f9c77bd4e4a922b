using Microsoft.Playwright;
using OpsConsole.Features.Auth;
using OpsConsole.Tests;

namespace OpsConsole.E2E;

/// <summary>
/// Every page an admin can open, in Chromium: no serious accessibility violation, and its scripts run under the
/// content security policy (no inline script without the response's nonce, nothing the policy had to block).
/// </summary>
public sealed class EveryPageTests : IClassFixture<ConsoleServer>
{
    private const string RecordViolations =
        "window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));";

    private readonly ConsoleServer _server;

    public EveryPageTests(ConsoleServer server) => _server = server;

    [Theory]
    [InlineData("dark")]
    [InlineData("light")]
    public async Task Every_admin_page_passes_axe_and_the_content_security_policy(string theme)
    {
        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits?host=every-page",
            """{"source":"docker","instance":"every-page-web","exitCode":137,"reason":"OOMKilled"}""");
        var page = await _server.SignedInPageAsync(ConsoleRoles.Admin,
            new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } },
            $"localStorage.setItem('opsconsole.theme', '{theme}'); {RecordViolations}");
        var findings = new List<string>();

        foreach (var path in new[] { "/", "/instances", "/sources", "/silences", "/panels", "/runbooks", "/runbooks/exit.oom-killed",
                     "/admin/users", "/admin/keys", "/admin/audit", "/admin/channels" })
        {
            var response = await page.GotoAsync(path);
            var policy = await response!.HeaderValueAsync("content-security-policy") ?? "";
            var scripts = policy.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
            if (scripts.Contains("'unsafe-inline'", StringComparison.Ordinal) || !scripts.Contains("'nonce-", StringComparison.Ordinal))
                findings.Add($"{path}: script-src is '{scripts}'");
            // Blazor's circuit coming up proves its scripts (and the import map) were allowed to run.
            await ConsoleServer.WaitForInteractiveAsync(page);
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            findings.AddRange((await page.EvaluateAsync<string[]>("() => window.__csp")).Select(v => $"{path}: blocked {v}"));
            findings.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{theme} {path}: {v}"));
        }

        await ConsoleServer.ScreenshotAsync(page, $"43-audit-{theme}");
        foreach (var finding in findings) Console.WriteLine(finding);
        Assert.True(findings.Count == 0, string.Join('\n', findings));
    }
}
