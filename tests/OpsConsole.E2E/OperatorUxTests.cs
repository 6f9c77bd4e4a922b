using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OpsConsole.Tests;

namespace OpsConsole.E2E;

/// <summary>
/// Issue #18: the failing list is dense enough to trust at a glance on a laptop and a full-HD screen, nothing
/// scrolls sideways, and the pages an operator uses have no serious or critical accessibility violation.
/// </summary>
public sealed class OperatorUxTests : IClassFixture<OperatorUxTests.Server>
{
    private const string Token = "ux-wall-51c2";
    private const string Cluster = "density";
    private readonly Server _server;

    public OperatorUxTests(Server server) => _server = server;

    public sealed class Server() : ConsoleServer(new Dictionary<string, string?> { ["Embed:Tokens:0"] = Token })
    {
        private readonly SemaphoreSlim _once = new(1, 1);
        private bool _seeded;

        /// <summary>40 crash-looping pods whose long names differ only at the end, as Deployments name them.</summary>
        public async Task SeedFleetAsync()
        {
            await _once.WaitAsync();
            try
            {
                if (_seeded) return;
                var template = JsonNode.Parse(Samples.Read("k8s/pod-crashloop-exit1-error.json"))!;
                var pods = new JsonArray();
                for (var i = 0; i < 40; i++)
                {
                    var pod = template.DeepClone();
                    pod["metadata"]!["name"] = $"checkout-recommendation-engine-worker-7f9c6b5d4-{i:x2}q{i % 7}z";
                    pod["metadata"]!["namespace"] = "commerce-platform-production";
                    pod["metadata"]!["uid"] = $"00000000-0000-4000-8000-{i:x12}";
                    pods.Add(pod);
                }
                var list = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "List", ["items"] = pods };
                await CreateApiClient().PostOkAsync($"/api/v1/container-exits?cluster={Cluster}", list.ToJsonString());
                await CreateApiClient().PostOkAsync("/api/v1/vm-events?cloud=east", Samples.Read("nova/server-fault-no-valid-host.json"));
                _seeded = true;
            }
            finally
            {
                _once.Release();
            }
        }
    }

    [Theory]
    [InlineData(1366, 768, 15)]
    [InlineData(1920, 1080, 25)]
    public async Task Long_kubernetes_names_fit_one_line_per_instance_without_sideways_scrolling(int width, int height, int atLeast)
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(width, height);
        await page.GotoAsync($"/?q={Cluster}");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr .instance-link").Nth(atLeast - 1).WaitForAsync();

        var visible = await page.EvaluateAsync<int>("""
            () => [...document.querySelectorAll('.failing-list tbody tr')]
              .filter(r => { const b = r.getBoundingClientRect(); return b.top >= 0 && b.bottom <= window.innerHeight; }).length
            """);
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
        var tableOverflow = await page.EvaluateAsync<int>("() => { const t = document.querySelector('.failing-list table'); return t.scrollWidth - t.parentElement.clientWidth; }");
        await ConsoleServer.ScreenshotAsync(page, $"30-density-{width}x{height}");
        Console.WriteLine($"{width}x{height}: {visible} failing rows fully visible, page overflow {overflow}px, table overflow {tableOverflow}px");

        Assert.True(visible >= atLeast, $"{visible} rows fully visible at {width}x{height}, expected at least {atLeast}");
        Assert.True(overflow <= 0, $"the page scrolls sideways by {overflow}px at {width}");
        Assert.True(tableOverflow <= 0, $"the table is {tableOverflow}px wider than its container at {width}");
    }

    [Theory]
    [InlineData("dark")]
    [InlineData("light")]
    public async Task The_operator_pages_have_no_serious_accessibility_violation(string theme)
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1366, 768, theme);
        var findings = new List<string>();

        await page.GotoAsync("/");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr .instance-link").First.WaitForAsync();
        findings.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => "failing list: " + v));

        await page.Locator(".failing-list tbody tr", new() { HasText = "vm.schedule.no-valid-host" }).Locator(".instance-link").ClickAsync();
        await page.Locator(".timeline-entry.failure").First.WaitForAsync();
        findings.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => "instance page: " + v));
        await ConsoleServer.ScreenshotAsync(page, $"31-instance-{theme}");

        await page.Locator(".timeline-entry.failure .open-runbook").First.ClickAsync();
        await page.Locator(".runbook pre code").First.WaitForAsync();
        findings.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => "guided runbook: " + v));
        await ConsoleServer.ScreenshotAsync(page, $"32-runbook-{theme}");

        await page.GotoAsync($"/embed/failing?token={Token}&theme={theme}");
        await page.Locator(".panel-failing tr").First.WaitForAsync();
        findings.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => "panel: " + v));
        await ConsoleServer.ScreenshotAsync(page, $"33-panel-{theme}");

        foreach (var finding in findings) Console.WriteLine(finding);
        Assert.True(findings.Count == 0, string.Join('\n', findings));
    }

    private async Task<IPage> NewPageAsync(int width, int height, string theme = "dark")
    {
        var context = await _server.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            BaseURL = _server.BaseUrl,
        });
        // The console keeps the theme choice in localStorage; set it before any page script runs.
        await context.AddInitScriptAsync($"localStorage.setItem('opsconsole.theme', '{theme}')");
        var page = await context.NewPageAsync();
        page.PageError += (_, error) => Console.WriteLine("page error: " + error);
        page.SetDefaultTimeout(15_000);
        return page;
    }
}
