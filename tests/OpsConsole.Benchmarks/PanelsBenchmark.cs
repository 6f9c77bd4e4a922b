using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;

namespace OpsConsole.Benchmarks;

/// <summary>
/// What wall screens cost the console: N live panels open in headless Debian chromium while records stream in
/// at a steady rate. Reports the console's memory per open panel (circuit) and its CPU while streaming, read
/// from its own Prometheus metrics (process and .NET collectors).
/// </summary>
public static class PanelsBenchmark
{
    private const string Token = "bench-panels";

    public static async Task<int> RunAsync(int panels, int recordsPerSecond, int seconds)
    {
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-bench", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        await using var console = await RunningConsole.StartAsync(Path.Combine(directory, "panels.db"),
            new Dictionary<string, string> { ["Embed__Tokens__0"] = Token });
        // Some history so panels have rows to show.
        foreach (var batch in Workload.Batches(2_000, 500)) await RunningConsole.PostContainerExitsAsync(console.Http, batch);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });

        // Warm the panel code paths with one page, then take the baseline.
        var warm = await OpenAsync(browser, console.BaseUrl, "failing");
        await warm.CloseAsync();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var heapBefore = await SettledAsync(console, "dotnet_total_memory_bytes");
        var workingSetBefore = await SettledAsync(console, "process_working_set_bytes");

        string[] kinds = ["failing", "summary", "sources", "category/exit.app-error", "failing?family=exit&limit=25"];
        var pages = new List<IPage>();
        for (var i = 0; i < panels; i++) pages.Add(await OpenAsync(browser, console.BaseUrl, kinds[i % kinds.Length]));
        await Task.Delay(TimeSpan.FromSeconds(5));
        var heapOpen = await SettledAsync(console, "dotnet_total_memory_bytes");
        var workingSetOpen = await SettledAsync(console, "process_working_set_bytes");

        // Stream: one batch every 100 ms, each record a new instance so every failing panel changes.
        var cpuBefore = await console.MetricAsync("process_cpu_seconds_total");
        var wall = Stopwatch.StartNew();
        var perTick = Math.Max(1, recordsPerSecond / 10);
        var sent = 0;
        for (var tick = 0; wall.Elapsed < TimeSpan.FromSeconds(seconds); tick++)
        {
            var due = TimeSpan.FromMilliseconds(tick * 100);
            if (wall.Elapsed < due) await Task.Delay(due - wall.Elapsed);
            sent += await RunningConsole.PostContainerExitsAsync(console.Http, StreamBatch(tick, perTick));
        }
        var cpuAfter = await console.MetricAsync("process_cpu_seconds_total");
        var elapsed = wall.Elapsed.TotalSeconds;
        var heapStreaming = await SettledAsync(console, "dotnet_total_memory_bytes");

        // The panels must still be live: streamed instances show up on the first failing panel.
        await pages[0].Locator($"tr[data-instance*='stream-']").First.WaitForAsync(new() { Timeout = 10_000 });

        Console.WriteLine($"panels open: {panels} ({string.Join(", ", kinds)}), records streamed: {sent} in {elapsed:F1} s ({sent / elapsed:F0}/s)");
        Console.WriteLine($"console managed heap: {Mb(heapBefore)} before, {Mb(heapOpen)} with panels open, {Mb(heapStreaming)} after streaming");
        Console.WriteLine($"console working set:  {Mb(workingSetBefore)} before, {Mb(workingSetOpen)} with panels open");
        Console.WriteLine($"memory per panel (circuit): {(heapOpen - heapBefore) / panels / 1024 / 1024:F2} MB managed heap, {(workingSetOpen - workingSetBefore) / panels / 1024 / 1024:F2} MB working set");
        Console.WriteLine($"console CPU while streaming: {(cpuAfter - cpuBefore) / elapsed:F2} cores ({cpuAfter - cpuBefore:F1} CPU-s over {elapsed:F1} s)");

        foreach (var page in pages) await page.CloseAsync();
        Directory.Delete(directory, recursive: true);
        return 0;
    }

    private static async Task<IPage> OpenAsync(IBrowser browser, string baseUrl, string panel)
    {
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 720 } });
        await page.GotoAsync($"{baseUrl}/embed/{panel}{(panel.Contains('?') ? '&' : '?')}token={Token}");
        await page.WaitForFunctionAsync("() => document.body.dataset.interactive === 'true'", null, new() { Timeout = 60_000 });
        return page;
    }

    /// <summary>The lowest of a few readings: garbage not yet collected is not what a circuit keeps.</summary>
    private static async Task<double> SettledAsync(RunningConsole console, string metric)
    {
        var lowest = double.MaxValue;
        for (var i = 0; i < 5; i++)
        {
            lowest = Math.Min(lowest, await console.MetricAsync(metric));
            await Task.Delay(1_000);
        }
        return lowest;
    }

    private static string StreamBatch(int tick, int count) => JsonSerializer.Serialize(Enumerable.Range(0, count).Select(i => new Dictionary<string, object>
    {
        ["source"] = "stream", ["cluster"] = "bench", ["namespace"] = "load", ["instance"] = $"stream-{tick}-{i}", ["container"] = "app",
        ["exitCode"] = 1, ["reason"] = "Error", ["message"] = "process exited", ["finishedAt"] = DateTimeOffset.UtcNow.ToString("O"),
    }));

    private static string Mb(double bytes) => $"{bytes / 1024 / 1024:F1} MB";
}
