using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>
/// A collector as README runs it: <c>dotnet OpsConsole.dll collect &lt;source&gt; …</c>, a real process with its
/// own /healthz on a loopback port and its queue in a temp folder.
/// </summary>
public sealed class CollectorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private CollectorProcess(Process process, Uri health)
    {
        _process = process;
        HealthAddress = health;
    }

    public Uri HealthAddress { get; }
    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string Dll { get; } = Path.Combine(Repository.Root, "src", "OpsConsole", "bin", ConsoleProcess.Configuration, "net10.0", "OpsConsole.dll");

    /// <summary>Starts <c>dotnet OpsConsole.dll collect …</c> with <paramref name="args"/> plus a --listen of its own.</summary>
    public static CollectorProcess Start(params string[] args)
    {
        var listen = $"http://127.0.0.1:{ConsoleProcess.FreePort()}";
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Dll, "collect" }.Concat(args).Concat(["--listen", listen])) info.ArgumentList.Add(arg);
        info.Environment["DOTNET_NOLOGO"] = "1";
        var process = new Process { StartInfo = info };
        var collector = new CollectorProcess(process, new Uri(listen));
        process.OutputDataReceived += (_, e) => { lock (collector._output) collector._output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (collector._output) collector._output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return collector;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited) throw new InvalidOperationException($"The collector exited with {_process.ExitCode}:\n{Output}");
            if (watch.Elapsed > timeout) throw new TimeoutException($"The collector did not print '{text}' within {timeout}:\n{Output}");
            await Task.Delay(50);
        }
    }

    public async Task<JsonElement> HealthAsync()
    {
        using var http = new HttpClient { BaseAddress = HealthAddress, Timeout = TimeSpan.FromSeconds(5) };
        return JsonDocument.Parse(await http.GetStringAsync("/healthz")).RootElement.Clone();
    }

    public async Task<string> MetricsAsync()
    {
        using var http = new HttpClient { BaseAddress = HealthAddress, Timeout = TimeSpan.FromSeconds(5) };
        return await http.GetStringAsync("/metrics");
    }

    /// <summary>Waits until /healthz satisfies <paramref name="done"/>; returns the last answer.</summary>
    public async Task<JsonElement> WaitHealthAsync(Func<JsonElement, bool> done, TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        JsonElement last = default;
        while (watch.Elapsed < timeout)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The collector exited with {_process.ExitCode}:\n{Output}");
            try
            {
                last = await HealthAsync();
                if (done(last)) return last;
            }
            catch (HttpRequestException) { }
            // A port just freed by a crashed process can accept and drop a connection before the new one listens.
            catch (System.Net.Sockets.SocketException) { }
            catch (IOException) { }
            catch (TaskCanceledException) { } // a collector still starting on a busy machine answers late
            await Task.Delay(100);
        }
        throw new TimeoutException($"The collector's health did not reach the expected state within {timeout}; last {last}:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cancel.Token);
        return _process.ExitCode;
    }

    /// <summary>Ends the collector at once, as a crash or a node failure would.</summary>
    public void Crash()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
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
