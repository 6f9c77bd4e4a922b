using System.Diagnostics;
using System.Globalization;

namespace OpsConsole.Infrastructure;

/// <summary>
/// How long each start-up step took, logged as one line (Information, this class's category) once the console listens,
/// with the time from the process's start: a slow start-up names its slow step without a profiler.
/// </summary>
public sealed class StartUpTimeline(IHostApplicationLifetime lifetime, ILogger<StartUpTimeline> logger)
{
    private readonly List<string> _steps = [];
    private readonly Stopwatch _since = Stopwatch.StartNew();

    /// <summary>Runs one step and notes how long it took.</summary>
    public async Task StepAsync(string step, Func<Task> run)
    {
        var watch = Stopwatch.StartNew();
        await run();
        Note(step, watch.Elapsed);
    }

    public void Note(string step, TimeSpan took)
    {
        lock (_steps) _steps.Add(string.Create(CultureInfo.InvariantCulture, $"{step} {took.TotalMilliseconds:F0} ms"));
    }

    /// <summary>Logs the steps when the host has started its services and the server listens.</summary>
    public void LogWhenListening()
    {
        var initialised = _since.Elapsed;
        lifetime.ApplicationStarted.Register(() =>
        {
            string steps;
            lock (_steps) steps = string.Join(", ", _steps);
            var sinceProcess = DateTime.Now - Process.GetCurrentProcess().StartTime;
            logger.LogInformation("Start-up steps: {Steps}; hosted services and server {Hosted:F0} ms; listening {SinceProcess:F0} ms after the process started",
                steps, (_since.Elapsed - initialised).TotalMilliseconds, sinceProcess.TotalMilliseconds);
        });
    }
}
