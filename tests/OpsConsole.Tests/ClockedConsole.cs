using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification.Patterns;

namespace OpsConsole.Tests;

/// <summary>A console on a clock the test moves, for the pattern detectors (crash loops, silence).</summary>
public abstract class ClockedConsole : IDisposable
{
    protected ManualClock Clock { get; } = new(DateTimeOffset.Parse("2026-03-02T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    protected OpsConsoleFactory Factory { get; }

    /// <param name="settings">Configuration for this console (options under test).</param>
    protected ClockedConsole(Dictionary<string, string?>? settings = null) => Factory = new ClockedFactory(Clock, settings ?? []);

    protected SilenceDetector Detector => Factory.Services.GetRequiredService<SilenceDetector>();

    /// <summary>The derived (pattern) records of a category, once the crash-loop watcher has seen every batch.</summary>
    protected async Task<List<JsonElement>> Patterns(string category)
    {
        await Factory.Services.GetRequiredService<CrashLoopWatcher>().WhenIdleAsync(CancellationToken.None);
        var page = await (await Factory.CreateApiClient().GetAsync($"/api/v1/records?category={category}")).ReadJsonAsync();
        return page.GetProperty("items").EnumerateArray().Where(r => r.GetProperty("format").GetString() == "derived").ToList();
    }

    public void Dispose()
    {
        Factory.Dispose();
        GC.SuppressFinalize(this);
    }

    private sealed class ClockedFactory(ManualClock clock, Dictionary<string, string?> settings) : OpsConsoleFactory(settings)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
        }
    }
}
