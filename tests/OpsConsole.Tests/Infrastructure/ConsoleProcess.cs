using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// The console as README starts it: <c>dotnet run --project src/OpsConsole --no-build -- --urls …</c> from the
/// repository root, a real Kestrel on 127.0.0.1 and a real SQLite file.
/// </summary>
public sealed class ConsoleProcess : IAsyncDisposable
{
    /// <summary>Tests that start real console processes run one at a time: on a 2-core runner, a start-up timed against a flood would flake.</summary>
    public const string Collection = "Real console processes";

    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ConsoleProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public int Port { get; }
    public Uri BaseAddress { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    /// <summary>The build configuration the tests were built with; dotnet run --no-build must use the same.</summary>
    public static string Configuration { get; } = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static ConsoleProcess Start(string databasePath, string apiKey, int? port = null, params string[] extraArgs)
    {
        port ??= FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "run", "--project", "src/OpsConsole", "-c", Configuration, "--no-build", "--", "--urls", $"http://127.0.0.1:{port}" }.Concat(extraArgs))
            info.ArgumentList.Add(arg);
        info.Environment["ConnectionStrings__OpsConsole"] = $"Data Source={databasePath}";
        info.Environment["Auth__ApiKeys__0__Key"] = apiKey;
        info.Environment["Auth__ApiKeys__0__Scopes__0"] = "ingest";
        info.Environment["Auth__ApiKeys__0__Scopes__1"] = "read";
        info.Environment["Demo__Interval"] = "00:00:00.300";
        info.Environment["DOTNET_NOLOGO"] = "1";

        var process = new Process { StartInfo = info };
        var console = new ConsoleProcess(process, port.Value);
        process.OutputDataReceived += (_, e) => { lock (console._output) console._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (console._output) console._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return console;
    }

    /// <summary>Polls /healthz; returns the time it took to answer.</summary>
    public async Task<TimeSpan> WaitHealthyAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The console exited with {_process.ExitCode}:\n{Output}");
            try
            {
                if ((await http.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return watch.Elapsed;
            }
            catch (HttpRequestException) { }
            // A port just freed by a crashed process can accept and drop a connection before the new one listens.
            catch (System.Net.Sockets.SocketException) { }
            catch (IOException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"/healthz did not answer within {timeout}:\n{Output}");
    }

    /// <summary>Waits for a console expected to stop by itself; returns its exit code.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        _process.WaitForExit(); // the parameterless wait also drains redirected output, so Output holds the last lines
        return _process.ExitCode;
    }

    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Ends the process at once, as a crash would (no graceful shutdown).</summary>
    public void Crash()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    /// <summary>
    /// The console's peak resident memory (VmHWM) in bytes: <c>dotnet run</c> starts the app as a child, so the
    /// deepest process under ours is the console.
    /// </summary>
    public long PeakWorkingSetBytes()
    {
        var pid = _process.Id;
        while (File.Exists($"/proc/{pid}/task/{pid}/children")
               && File.ReadAllText($"/proc/{pid}/task/{pid}/children").Split(' ', StringSplitOptions.RemoveEmptyEntries) is [var child, ..])
            pid = int.Parse(child, System.Globalization.CultureInfo.InvariantCulture);
        var line = File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }
}
