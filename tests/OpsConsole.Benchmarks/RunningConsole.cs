using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OpsConsole.Benchmarks;

/// <summary>The console as its container image runs it (<c>dotnet OpsConsole.dll</c>, the Release build) on a fresh SQLite file and a free loopback port.</summary>
public sealed class RunningConsole : IAsyncDisposable
{
    public const string Key = "bench-key";

    private readonly Process _process;

    private RunningConsole(Process process, int port)
    {
        _process = process;
        BaseUrl = $"http://127.0.0.1:{port}";
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl) };
        Http.DefaultRequestHeaders.Add("X-Api-Key", Key);
    }

    public string BaseUrl { get; }
    public HttpClient Http { get; }

    /// <summary>How long the console's process has run.</summary>
    public TimeSpan Uptime => DateTime.Now - _process.StartTime;

    /// <summary>The console's own log line of its start-up steps (StartUpTimeline), once it has listened.</summary>
    public string? StartUpSteps { get; private set; }

    /// <summary>Starts the console; its log lines (warnings and up) go to <paramref name="output"/> when given.</summary>
    public static async Task<RunningConsole> StartAsync(string databasePath, IReadOnlyDictionary<string, string>? settings = null, Action<string>? output = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = RepositoryRoot(), RedirectStandardOutput = true, RedirectStandardError = true };
        // The built console itself, as the container image starts it: `dotnet run` spent 7-11 s evaluating the project
        // first, which the start-up row then counted as the console's.
        var built = Path.Combine(RepositoryRoot(), "src", "OpsConsole", "bin", "Release", Path.GetFileName(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)), "OpsConsole.dll");
        if (!File.Exists(built)) throw new InvalidOperationException($"{built} is missing: build the solution with -c Release first");
        foreach (var arg in new[] { built, "--urls", $"http://127.0.0.1:{port}", "--Logging:LogLevel:Default=Warning" })
            info.ArgumentList.Add(arg);
        info.Environment["ConnectionStrings__OpsConsole"] = $"Data Source={databasePath}";
        // A key with the read scope too: the records benchmark times the read APIs with it.
        info.Environment["Auth__ApiKeys__0__Name"] = "bench";
        info.Environment["Auth__ApiKeys__0__Key"] = Key;
        info.Environment["Auth__ApiKeys__0__Scopes__0"] = "ingest";
        info.Environment["Auth__ApiKeys__0__Scopes__1"] = "read";
        info.Environment["Auth__ApiKeys__0__Scopes__2"] = "operate";
        info.Environment["Logging__LogLevel__OpsConsole.Infrastructure.StartUpTimeline"] = "Information";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info)!;
        RunningConsole? console = null;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            if (console is not null && e.Data.Contains("Start-up steps", StringComparison.Ordinal)) console.StartUpSteps = RecordsBenchmark.LogMessage(e.Data);
            output?.Invoke(e.Data);
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        console = new RunningConsole(process, port);
        try
        {
            await console.WaitHealthyAsync();
        }
        catch
        {
            // Not left running when it never answered: the next run's console would share the machine with it.
            await console.DisposeAsync();
            throw;
        }
        return console;
    }

    /// <summary>Posts a container-exit batch; returns how many records the console accepted (and gives its Server-Timing header to <paramref name="serverTiming"/>).</summary>
    public static async Task<int> PostContainerExitsAsync(HttpClient http, string body, Action<string>? serverTiming = null)
    {
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/api/v1/container-exits", content);
        var text = await response.Content.ReadAsStringAsync();
        if (serverTiming is not null && response.Headers.TryGetValues("Server-Timing", out var timing)) serverTiming(string.Join(", ", timing));
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"ingest answered {(int)response.StatusCode}: {text}");
        using var document = System.Text.Json.JsonDocument.Parse(text);
        return document.RootElement.GetProperty("accepted").GetInt32();
    }

    /// <summary>A value from the console's own Prometheus metrics (prometheus-net's process and .NET collectors).</summary>
    public async Task<double> MetricAsync(string name) =>
        await TryMetricAsync(name) ?? throw new InvalidOperationException($"the console's /metrics has no {name}");

    /// <summary>As <see cref="MetricAsync"/>; null while the console has not set the metric yet.</summary>
    public async Task<double?> TryMetricAsync(string name)
    {
        var text = await Http.GetStringAsync("/metrics");
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(name.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Bytes the console's processes read and wrote (Linux /proc/&lt;pid&gt;/io: rchar, wchar, page cache hits included),
    /// and of the reads those the OS fetched from the disk (read_bytes: what a cold page cache costs).
    /// </summary>
    public readonly record struct Io(long Read, long Written, long FromDisk)
    {
        public static readonly Io Zero = new(0, 0, 0);

        public static Io operator -(Io a, Io b) => new(a.Read - b.Read, a.Written - b.Written, a.FromDisk - b.FromDisk);

        public string PerRecord(long records) =>
            $"console read {Read / 1024.0 / records:F1} kB ({FromDisk / 1024.0 / records:F1} kB from the disk) and wrote {Written / 1024.0 / records:F1} kB per record";
    }

    /// <summary>What the console's process (and any it started) has read and written so far.</summary>
    public Io IoNow()
    {
        var total = Io.Zero;
        foreach (var pid in ProcessTree(_process.Id))
        {
            long Field(string[] lines, string name) =>
                lines.Where(l => l.StartsWith(name + ": ", StringComparison.Ordinal)).Select(l => long.Parse(l[(name.Length + 2)..], System.Globalization.CultureInfo.InvariantCulture)).FirstOrDefault();
            try
            {
                var lines = File.ReadAllLines($"/proc/{pid}/io");
                total = new Io(total.Read + Field(lines, "rchar"), total.Written + Field(lines, "wchar"), total.FromDisk + Field(lines, "read_bytes"));
            }
            catch (IOException) { }
        }
        return total;
    }

    private static IEnumerable<int> ProcessTree(int pid)
    {
        yield return pid;
        var tasks = $"/proc/{pid}/task";
        if (!Directory.Exists(tasks)) yield break;
        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            var children = Path.Combine(task, "children");
            if (!File.Exists(children)) continue;
            foreach (var child in File.ReadAllText(children).Split(' ', StringSplitOptions.RemoveEmptyEntries))
                foreach (var descendant in ProcessTree(int.Parse(child, System.Globalization.CultureInfo.InvariantCulture)))
                    yield return descendant;
        }
    }

    private async Task WaitHealthyAsync()
    {
        // Up to about five minutes: with the other helpers' builds and tests running, start-up took over one.
        for (var i = 0; i < 3000; i++)
        {
            try
            {
                if ((await Http.GetAsync("/healthz")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            // A port just freed by a crashed process can accept and drop a connection before the new one listens.
            catch (System.Net.Sockets.SocketException) { }
            catch (IOException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("the console did not become healthy");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln"))) return dir.FullName;
        throw new InvalidOperationException("run from inside the repository");
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
