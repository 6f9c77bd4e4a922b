using System.Text;
using Xunit.Abstractions;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// 200,000 distinct sources against the real console: metric labels, the Sources page and the sender map stay
/// bounded, and so does the process (peak resident memory reported in the test output).
/// </summary>
[Collection(ConsoleProcess.Collection)]
public sealed class SourceFloodMemoryTests(ITestOutputHelper output)
{
    /// <summary>
    /// The bound this test holds the console to; measured peaks are printed with each run. What the console keeps per
    /// instance or sender is capped (100 k crash-loop windows, 100 k remembered instance states, the tracked senders),
    /// about 220 MB of live heap at the caps; the rest of the peak is the runtime and the GC's headroom, which moved
    /// between 530 and 720 MB from run to run with the same code (more when other tests ran alongside).
    /// </summary>
    private const long MaxPeakBytes = 800L * 1024 * 1024;

    [Fact]
    public async Task Two_hundred_thousand_sources_keep_the_console_bounded()
    {
        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        // A trusted-network console (anonymous viewers), so the Sources page itself is fetched and measured, not the sign-in page;
        // a small page cache, so the growing file's cached pages (bounded by Database:CacheSizeMb per connection) do not hide the rest.
        await using var console = ConsoleProcess.Start(Path.Combine(directory, "ops.db"), OpsConsoleFactory.ApiKey, null, "--Auth:AnonymousRole=Viewer", "--Database:CacheSizeMb=2");
        await console.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using var api = console.CreateClient(OpsConsoleFactory.ApiKey);
        api.Timeout = TimeSpan.FromMinutes(2);

        const int total = 200_000, batch = 10_000;
        for (var start = 0; start < total; start += batch)
        {
            var body = new StringBuilder("[");
            for (var i = start; i < start + batch; i++)
            {
                if (i > start) body.Append(',');
                body.Append("{\"source\":\"flood-").Append(i).Append("\",\"instance\":\"i\",\"exitCode\":1,\"finishedAt\":\"2026-01-01T00:00:00Z\"}");
            }
            body.Append(']');
            var response = await api.PostAsync("/api/v1/container-exits", new StringContent(body.ToString(), Encoding.UTF8, "application/json"));
            Assert.True(response.IsSuccessStatusCode, $"batch at {start}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            if (start == 9 * batch) output.WriteLine($"after {start + batch} sources: peak working set {console.PeakWorkingSetBytes() / (1024 * 1024)} MB");
        }

        var metrics = await api.GetStringAsync("/metrics");
        var sources = await api.GetStringAsync("/sources");
        var peak = console.PeakWorkingSetBytes();
        output.WriteLine($"peak working set {peak / (1024 * 1024)} MB; /metrics {metrics.Length / 1024} kB; /sources {sources.Length / 1024} kB");

        Assert.True(metrics.Length < 200_000, $"/metrics is {metrics.Length} characters");
        Assert.Contains("data-origin=", sources);
        Assert.True(sources.Length < 1_000_000, $"/sources is {sources.Length} characters");
        Assert.True(peak < MaxPeakBytes, $"peak working set {peak / (1024 * 1024)} MB");
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { }
    }
}
