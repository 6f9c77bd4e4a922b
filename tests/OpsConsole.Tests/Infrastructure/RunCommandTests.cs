using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>README's run command and the start-up contract, on a real process, port and file.</summary>
[Collection(ConsoleProcess.Collection)]
public sealed class RunCommandTests : IDisposable
{
    private const string Key = "process-test-key";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-process", Guid.NewGuid().ToString("n"));

    public RunCommandTests() => Directory.CreateDirectory(_directory);

    private string DatabasePath => Path.Combine(_directory, "nested", "ops.db");

    [Fact]
    public async Task The_console_creates_and_migrates_its_file_and_serves_every_endpoint()
    {
        await using var console = ConsoleProcess.Start(DatabasePath, Key);
        var startup = await console.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        Assert.True(File.Exists(DatabasePath), "the data directory and file are created when missing");
        using var http = console.CreateClient();
        foreach (var path in new[] { "/", "/readyz", "/metrics", "/app.css" })
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("/api/v1/records")).StatusCode);
        Console.WriteLine($"start-up to /healthz: {startup.TotalMilliseconds:F0} ms");
    }

    [Fact]
    public async Task Acknowledged_records_survive_a_crash_of_the_process()
    {
        var port = ConsoleProcess.FreePort();
        await using (var first = ConsoleProcess.Start(DatabasePath, Key, port))
        {
            await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            using var http = first.CreateClient(Key);
            var result = await http.PostOkAsync("/api/v1/container-exits", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));
            Assert.Equal(2, result.GetProperty("accepted").GetInt32());
            first.Crash();
        }

        await using var second = ConsoleProcess.Start(DatabasePath, Key, port);
        await second.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using var client = second.CreateClient(Key);
        var page = await (await client.GetAsync("/api/v1/records?source=kubernetes")).ReadJsonAsync();
        Assert.Equal(2, page.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task The_demo_fleet_feeds_records_of_every_kind_through_the_api()
    {
        await using var console = ConsoleProcess.Start(DatabasePath, Key, null, "--demo");
        await console.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        using var http = console.CreateClient(Key);

        var kinds = new HashSet<string>();
        var sources = new HashSet<string>();
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(30) && (kinds.Count < 3 || sources.Count < 5))
        {
            await Task.Delay(500);
            var page = await (await http.GetAsync("/api/v1/records?limit=500")).ReadJsonAsync();
            foreach (var item in page.GetProperty("items").EnumerateArray())
            {
                kinds.Add(item.GetProperty("kind").GetString()!);
                sources.Add(item.GetProperty("source").GetString()!);
            }
        }
        Assert.Equal(["container", "unit", "vm"], kinds.Order());
        Assert.True(sources.Count >= 5, $"sources seen: {string.Join(", ", sources)}");
        var failing = await (await http.GetAsync("/api/v1/instances/failing")).ReadJsonAsync();
        Assert.True(failing.GetProperty("total").GetInt32() > 0);
    }

    [Fact]
    public async Task The_healthcheck_subcommand_reports_the_state_of_a_running_console()
    {
        await using var console = ConsoleProcess.Start(DatabasePath, Key);
        await console.WaitHealthyAsync(TimeSpan.FromSeconds(120));

        Assert.Equal(0, await RunHealthcheckAsync($"{console.BaseAddress}healthz"));
        Assert.Equal(1, await RunHealthcheckAsync($"http://127.0.0.1:{ConsoleProcess.FreePort()}/healthz"));
    }

    private static async Task<int> RunHealthcheckAsync(string url)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Repository.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "run", "--project", "src/OpsConsole", "-c", ConsoleProcess.Configuration, "--no-build", "--", "healthcheck", url })
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        await process.WaitForExitAsync();
        return process.ExitCode;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
