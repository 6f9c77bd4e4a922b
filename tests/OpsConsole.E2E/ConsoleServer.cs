using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using OpsConsole.Tests;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.E2E;

/// <summary>
/// The console on a real Kestrel bound to 127.0.0.1 (own SQLite file), and Debian's chromium driven by
/// Playwright; no browser is downloaded. One per test class.
/// </summary>
public class ConsoleServer : OpsConsoleFactory, IAsyncLifetime
{
    private IPlaywright? _playwright;

    public ConsoleServer() : this([]) { }

    // Open pages re-check their user every second here (a minute at most in production), so tests see revocation quickly.
    protected ConsoleServer(Dictionary<string, string?> settings) : base(new Dictionary<string, string?>(settings) { ["Auth:RevalidationInterval"] = "00:00:01" }) =>
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));

    public string BaseUrl { get; private set; } = "";
    public IBrowser Browser { get; private set; } = default!;

    public async Task InitializeAsync()
    {
        StartServer();
        BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser page (own storage) with a wall-friendly viewport.</summary>
    public Task<IPage> NewPageAsync() => NewPageAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1000 } });

    /// <summary>A fresh browser page in a context with these options (the console's address is filled in).</summary>
    public async Task<IPage> NewPageAsync(BrowserNewContextOptions options, string? initScript = null)
    {
        options.BaseURL = BaseUrl;
        var context = await Browser.NewContextAsync(options);
        if (initScript is not null) await context.AddInitScriptAsync(initScript);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        return page;
    }

    /// <summary>A fresh browser page signed in through the real sign-in page as a user with that role.</summary>
    public async Task<IPage> SignedInPageAsync(string role, string? email = null)
    {
        email = await EnsureUserAsync(role, email ?? (role == "Admin" ? AdminEmail : null));
        var page = await NewPageAsync();
        await SignInAsync(page, email, Password);
        return page;
    }

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _sessions = new();

    /// <summary>
    /// A fresh page with the cookies of a user with that role who signed in through the real sign-in page once per
    /// fixture (sign-in is rate-limited per client address, and every test here comes from 127.0.0.1).
    /// </summary>
    public async Task<IPage> SignedInPageAsync(string role, BrowserNewContextOptions options, string? initScript = null)
    {
        options.StorageState = await _sessions.GetOrAdd(role, r => new Lazy<Task<string>>(async () =>
        {
            var page = await SignedInPageAsync(r);
            var state = await page.Context.StorageStateAsync();
            await page.Context.CloseAsync();
            return state;
        })).Value;
        return await NewPageAsync(options, initScript);
    }

    public static async Task SignInAsync(IPage page, string email, string password)
    {
        await page.GotoAsync("/account/signin");
        await page.FillAsync("input[name=email]", email);
        await page.FillAsync("input[name=password]", password);
        await page.ClickAsync("button.account-submit");
        await page.WaitForURLAsync(url => !url.Contains("/account/", StringComparison.Ordinal));
    }

    /// <summary>Saves a screenshot under tests/OpsConsole.E2E/screenshots (git-ignored) for a human to look at.</summary>
    public static async Task ScreenshotAsync(IPage page, string name)
    {
        var folder = Path.Combine(Repository.Root, "tests", "OpsConsole.E2E", "screenshots");
        System.IO.Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }

    /// <summary>Waits until Blazor's circuit is up, so clicks reach the server.</summary>
    public static Task WaitForInteractiveAsync(IPage page) =>
        page.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'",
            null, new PageWaitForFunctionOptions { Timeout = 15_000 });

    private static string ChromiumPath() =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured ? configured
        : File.Exists("/usr/bin/chromium") ? "/usr/bin/chromium"
        : throw new InvalidOperationException("Debian's chromium is required (apt-get install -y chromium); .ci/run installs it.");

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (Browser is not null) await Browser.CloseAsync();
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
