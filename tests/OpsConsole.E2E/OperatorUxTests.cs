using System.Text.Json.Nodes;
using Microsoft.Playwright;
using OpsConsole.Features.Auth;
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
                var pods = new JsonArray();
                for (var i = 0; i < 40; i++) pods.Add(Pod($"checkout-recommendation-engine-worker-7f9c6b5d4-{i:x2}q{i % 7}z", i));
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

    /// <summary>The crash-looping sample pod under another name, as a Deployment would name its replicas.</summary>
    private static JsonNode Pod(string name, int uid)
    {
        var pod = JsonNode.Parse(Samples.Read("k8s/pod-crashloop-exit1-error.json"))!;
        pod["metadata"]!["name"] = name;
        pod["metadata"]!["namespace"] = "commerce-platform-production";
        pod["metadata"]!["uid"] = $"00000000-0000-4000-8000-{uid:x12}";
        return pod;
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
        var page = await NewPageAsync(1366, 768, theme, signedIn: false);
        var findings = new List<string>();

        // An anonymous browser is sent to the sign-in page; it is the first page everyone sees, so it is checked too.
        await page.GotoAsync("/");
        await page.WaitForURLAsync(url => url.Contains("/account/signin", StringComparison.Ordinal));
        await page.Locator("button.account-submit").WaitForAsync();
        findings.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => "sign-in: " + v));
        await ConsoleServer.ScreenshotAsync(page, $"29-sign-in-{theme}");
        await ConsoleServer.SignInAsync(page, await _server.EnsureUserAsync(ConsoleRoles.Operator), OpsConsoleFactory.Password);

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

    [Fact]
    public async Task Live_changes_wait_behind_an_n_new_bar_while_the_pointer_is_in_the_list()
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1366, 768);
        await page.GotoAsync($"/?q={Cluster}");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var rows = page.Locator(".failing-list tbody tr.failing-row");
        await rows.Nth(39).WaitForAsync();
        await rows.Nth(3).HoverAsync();
        // Blazor learns about the pointer over the circuit; the list says when it knows.
        await page.Locator(".failing-list[data-pointer='inside']").WaitForAsync();

        await _server.CreateApiClient().PostOkAsync($"/api/v1/container-exits?cluster={Cluster}", Pod("late-arrival-5c8d7f6b9-zz9q1", 99).ToJsonString());

        var bar = page.Locator(".new-rows-bar");
        await bar.WaitForAsync(new() { Timeout = 5_000 });
        Assert.Contains("1 new", await bar.TextContentAsync());
        Assert.Equal(0, await page.Locator(".failing-list tbody tr", new() { HasText = "late-arrival" }).CountAsync());
        await ConsoleServer.ScreenshotAsync(page, "34-n-new-bar");

        try
        {
            await bar.ClickAsync(new() { Timeout = 5_000 });
        }
        catch (TimeoutException)
        {
            // On a loaded machine the list can learn the pointer left (and show what waited) before the click lands.
            Assert.Equal(0, await bar.CountAsync());
        }
        await page.Locator(".failing-list tbody tr", new() { HasText = "late-arrival" }).WaitForAsync();
        Assert.Equal(0, await bar.CountAsync());
    }

    [Fact]
    public async Task Relative_times_tick_on_an_open_page()
    {
        var finished = DateTimeOffset.UtcNow.AddSeconds(-40).ToString("o", System.Globalization.CultureInfo.InvariantCulture);
        await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits",
            $$"""{"source": "batch", "instance": "tick-probe", "exitCode": 1, "finishedAt": "{{finished}}"}""");
        var page = await NewPageAsync(1366, 768);
        await page.GotoAsync("/?q=tick-probe");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var lastSeen = page.Locator(".failing-list tbody tr.failing-row td.col-time time").Last;
        Assert.Equal("just now", await lastSeen.TextContentAsync());
        Assert.StartsWith("Source time: ", await lastSeen.GetAttributeAsync("title"));

        // Nothing is posted and nothing reloads: only the tick (every 30 s) can change the text.
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('.failing-list td.col-time time')].pop().textContent === '1 min ago'",
            null, new() { Timeout = 45_000 });
    }

    [Fact]
    public async Task The_keyboard_searches_moves_opens_and_explains_itself()
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1366, 768);
        await page.GotoAsync($"/?q={Cluster}");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr.failing-row").Nth(1).WaitForAsync();
        await page.Locator("body").ClickAsync(new() { Position = new() { X = 5, Y = 700 } });

        await page.Keyboard.PressAsync("?");
        await page.Locator(".shortcut-help").WaitForAsync();
        await ConsoleServer.ScreenshotAsync(page, "35-shortcut-help");
        await page.Keyboard.PressAsync("Escape");
        await page.Locator(".shortcut-help").WaitForAsync(new() { State = WaitForSelectorState.Hidden });

        await page.Keyboard.PressAsync("j");
        await page.Keyboard.PressAsync("j");
        var second = page.Locator(".failing-list tbody tr.failing-row").Nth(1);
        Assert.Contains("keyboard-current", await second.GetAttributeAsync("class"));
        var key = await second.GetAttributeAsync("data-instance");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(url => url.Contains("/instances/", StringComparison.Ordinal) && url.Contains(key!.Split('/')[3], StringComparison.Ordinal),
            new() { WaitUntil = WaitUntilState.Commit });

        await page.GoBackAsync();
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr.failing-row").First.WaitForAsync();
        // Right after going back the interactive render can replace the search box that "/" had just focused (a CI run
        // saw the focus gone). What matters is that "/" focuses the box of the page as it stands: pressed again only
        // while the box is not focused, so no "/" is ever typed into it.
        var focused = false;
        for (var attempt = 0; attempt < 5 && !focused; attempt++)
        {
            await page.Keyboard.PressAsync("/");
            try
            {
                await page.WaitForFunctionAsync("() => document.activeElement === document.querySelector('.filter-search input')", null, new() { Timeout = 2_000 });
                focused = true;
            }
            catch (TimeoutException)
            {
            }
        }
        Assert.True(focused, "/ focuses the search box");
        Assert.DoesNotContain("/", await page.Locator(".filter-search input").InputValueAsync());
    }

    [Fact]
    public async Task Sort_headers_are_reached_and_used_by_keyboard()
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1366, 768);
        await page.GotoAsync($"/?q={Cluster}");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var header = page.Locator("th.col-failures .sort-header");
        await header.FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Locator("th.col-failures[aria-sort='descending']").WaitForAsync();
        Assert.Contains("sort=failures", page.Url);
    }

    [Fact]
    public async Task Grouping_by_location_counts_each_group_and_acknowledges_it_in_bulk()
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1920, 1080);
        await page.GotoAsync("/?group=location");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var cluster = page.Locator($".failing-group[data-group='kubernetes/{Cluster}']");
        await cluster.WaitForAsync();
        // 40 seeded pods, and one more once the "N new" test has posted its late arrival.
        Assert.Matches(@"\b4[01] failing\b", await cluster.Locator(".group-row").TextContentAsync());
        Assert.Contains("Failures per hour", await cluster.Locator(".group-row svg.sparkline").GetAttributeAsync("aria-label"));
        Assert.Equal("location", await page.Locator(".group-by select").InputValueAsync());
        await ConsoleServer.ScreenshotAsync(page, "36-grouped-by-location");

        var cloud = page.Locator(".failing-group[data-group='nova/east']");
        await OperatorFlowTests.ClickUntilAsync(page, cloud.Locator(".group-acknowledge"), "() => !!document.querySelector('.acknowledge-dialog textarea')");
        await page.Locator(".acknowledge-dialog textarea").FillAsync("capacity request filed");
        await page.Locator(".acknowledge-dialog .ack-confirm").ClickAsync();
        await cloud.Locator("tr.acknowledged-row").First.WaitForAsync();
        Assert.Equal(await cloud.Locator("tr.failing-row").CountAsync(), await cloud.Locator("tr.acknowledged-row").CountAsync());

        await page.Locator(".group-by select").SelectOptionAsync("category");
        await page.Locator(".failing-group[data-group='restart.crash-loop']").WaitForAsync();
        Assert.Contains("group=category", page.Url);
    }

    [Fact]
    public async Task Repeated_identical_records_are_one_timeline_line_with_a_count()
    {
        // Twenty minutes apart: the same failure again and again, never three in the crash-loop window.
        var first = new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-3), TimeSpan.Zero).AddHours(8);
        for (var i = 0; i < 5; i++)
        {
            var at = first.AddMinutes(20 * i).ToString("o", System.Globalization.CultureInfo.InvariantCulture);
            await _server.CreateApiClient().PostOkAsync("/api/v1/container-exits",
                $$"""{"source": "batch", "instance": "repeat-probe", "exitCode": 1, "message": "config file missing", "finishedAt": "{{at}}"}""");
        }
        var page = await NewPageAsync(1366, 768);
        await page.GotoAsync("/instances/batch/repeat-probe");
        var entry = page.Locator(".timeline-entry[data-repeats='5']");
        await entry.WaitForAsync();
        Assert.Equal(1, await page.Locator(".timeline-entry").CountAsync());
        Assert.Contains($"×5 since {first.UtcDateTime.ToString("MMM d HH:mm", System.Globalization.CultureInfo.InvariantCulture)}",
            await entry.Locator(".timeline-repeats").TextContentAsync());
        Assert.Equal(OpsConsole.Components.Shared.TimeText.Stamp(first.AddMinutes(80), DateTimeOffset.UtcNow),
            (await entry.Locator(".timeline-exact").TextContentAsync())?.Trim());
        await ConsoleServer.ScreenshotAsync(page, "37-collapsed-repeats");
    }

    [Theory]
    [InlineData(1920, 1080)]
    [InlineData(3840, 2160)]
    public async Task Panels_fill_the_screen_without_scrolling_worst_first(int width, int height)
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(width, height, signedIn: false);
        await page.GotoAsync($"/embed/failing?token={Token}");
        await page.WaitForFunctionAsync("() => document.querySelector('.panel-fit')?.dataset.shown > 0");

        // One read of the fitted table as a frame is painted: a live update may re-render it at any moment, and the fit
        // runs in the next animation frame, so a read between the two (never painted) is retried.
        var fitted = await page.EvaluateAsync<double[]?>("""
            async () => {
              for (let attempt = 0; attempt < 50; attempt++) {
                await new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
                const table = document.querySelector('.panel-fit');
                const rows = [...table.querySelectorAll('tbody tr:not([hidden])')];
                if (rows.length === +table.dataset.shown)
                  return [rows.length, +table.dataset.total, Math.max(...rows.map(r => r.getBoundingClientRect().bottom))];
              }
              return null;
            }
            """);
        Assert.NotNull(fitted);
        var (shown, total, lastBottom) = ((int)fitted[0], (int)fitted[1], fitted[2]);
        await ConsoleServer.ScreenshotAsync(page, $"38-panel-fit-{width}x{height}");
        Console.WriteLine($"{width}x{height}: panel shows {shown} of {total}");

        Assert.True(shown >= 15, $"only {shown} rows at {width}x{height}");
        Assert.True(lastBottom <= height, $"a row ends at {lastBottom}px on a {height}px screen");
        Assert.True(await page.EvaluateAsync<bool>("() => document.scrollingElement.scrollHeight <= innerHeight && document.scrollingElement.scrollWidth <= innerWidth"));
        if (total > shown) Assert.Equal($"and {total - shown} more", (await page.Locator(".panel-more").TextContentAsync())?.Trim());
        // Worst first: the critical crash loops come before the Nova error.
        var severities = await page.Locator(".panel-fit tbody tr:not([hidden]) .panel-severity").AllTextContentsAsync();
        Assert.Equal(severities.OrderBy(s => s.Trim() switch { "critical" => 0, "error" => 1, "warning" => 2, _ => 3 }), severities);
    }

    [Fact]
    public async Task A_missing_token_gets_a_readable_full_screen_message_in_the_panel_theme()
    {
        var page = await NewPageAsync(1920, 1080, signedIn: false);
        var response = await page.GotoAsync("/embed/failing?token=revoked-or-wrong&theme=light");
        Assert.Equal(401, response!.Status);
        Assert.Contains("not valid", await page.Locator(".token-needed").TextContentAsync());
        Assert.Equal("rgb(255, 255, 255)", await page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor"));
        await ConsoleServer.ScreenshotAsync(page, "39-panel-token-needed");
    }

    [Fact]
    public async Task A_category_panel_ignores_a_conflicting_family_and_the_rotation_takes_category_and_instance_entries()
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1920, 1080, signedIn: false);
        await page.GotoAsync($"/embed/category/restart.crash-loop?family=vm&token={Token}");
        await page.Locator(".panel-failing tbody tr").First.WaitForAsync();
        Assert.Contains("family=vm ignored", await page.Locator(".panel-note").TextContentAsync());

        var instance = Uri.EscapeDataString($"k8s/{Cluster}/commerce-platform-production/checkout-recommendation-engine-worker-7f9c6b5d4-00q0z/api");
        await page.GotoAsync($"/embed/rotate?panels=category/restart.crash-loop,instance/{instance}&interval=5&token={Token}");
        await page.Locator(".panel-failing tbody tr").First.WaitForAsync();
        await page.Locator(".panel-instance .panel-state").WaitForAsync(new() { Timeout = 9_000 });
        Assert.Contains("restart.crash-loop", await page.Locator(".panel-instance .panel-state").TextContentAsync());
    }

    [Fact]
    public async Task An_absolute_time_range_is_picked_in_utc_and_kept_in_the_url()
    {
        await _server.SeedFleetAsync();
        var page = await NewPageAsync(1366, 768);
        await page.GotoAsync("/?q=density");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr").First.WaitForAsync();
        Assert.Equal(0, await page.Locator(".filter-from").CountAsync());

        // The seeded pods last failed on 2025-06-23: a window around that day keeps them, a later one empties the list.
        await page.GotoAsync("/?q=density&from=2025-06-22T00:00&to=2025-06-24T00:00");
        await ConsoleServer.WaitForInteractiveAsync(page);
        await page.Locator(".failing-list tbody tr").First.WaitForAsync();
        Assert.Equal("2025-06-22T00:00", await page.Locator(".filter-from input").InputValueAsync());
        Assert.Equal(0, await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"));
        await ConsoleServer.ScreenshotAsync(page, "40-absolute-range");

        await page.Locator(".filter-to input").FillAsync("2025-06-22T12:00");
        await page.Locator(".filter-to input").DispatchEventAsync("change");
        await page.WaitForFunctionAsync("() => location.search.includes('to=2025-06-22T12%3A00') || location.search.includes('to=2025-06-22T12:00')");
        await page.Locator(".failing-list tbody tr.failing-row").First.WaitForAsync(new() { State = WaitForSelectorState.Detached });
    }

    [Fact]
    public async Task Copy_never_copies_unfilled_braces()
    {
        var page = await NewPageAsync(1366, 768);
        await page.Context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = _server.BaseUrl });
        await page.GotoAsync("/runbooks/restart.crash-loop");
        await ConsoleServer.WaitForInteractiveAsync(page);
        var block = page.Locator(".code-block", new() { Has = page.Locator(".placeholder.missing") }).First;
        await block.WaitForAsync();
        var name = await block.Locator(".placeholder.missing").First.GetAttributeAsync("data-placeholder");

        await block.Locator(".copy-code").ClickAsync();
        await block.Locator(".copy-code.copied").WaitForAsync();
        var copied = await page.EvaluateAsync<string>("() => navigator.clipboard.readText()");

        Assert.DoesNotContain("{{", copied);
        Assert.Contains($"<{name}>", copied);
        // On screen too it reads as what to substitute (generated by CSS over the hidden braces).
        Assert.Equal($"\"<{name}>\"", await block.Locator(".placeholder.missing").First.EvaluateAsync<string>("p => getComputedStyle(p, '::after').content"));
    }

    /// <summary>A page signed in as an operator (or, for panels, not signed in: a wall has only its token).</summary>
    private async Task<IPage> NewPageAsync(int width, int height, string theme = "dark", bool signedIn = true)
    {
        var options = new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } };
        // The console keeps the theme choice in localStorage; set it before any page script runs.
        var theming = $"localStorage.setItem('opsconsole.theme', '{theme}')";
        var page = signedIn ? await _server.SignedInPageAsync(ConsoleRoles.Operator, options, theming) : await _server.NewPageAsync(options, theming);
        page.PageError += (_, error) => Console.WriteLine("page error: " + error);
        return page;
    }
}
