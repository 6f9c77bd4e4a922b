using Microsoft.AspNetCore.Hosting.Server;
using OpsConsole.Features.Ingestion;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Collectors;

/// <summary>
/// Collectors run inside the console process, one per <c>Collectors:&lt;name&gt;</c> section (its Source, or the
/// section name, picks the profile). They take the same path as a remote collector, through the HTTP API and
/// a file queue, so nothing is lost while the store is busy; Console and Key default to this console and a
/// key of its own.
/// </summary>
public sealed class ConfiguredCollectors(
    IConfiguration configuration,
    IServer server,
    IHostApplicationLifetime lifetime,
    ApiKeyStore keys,
    ILoggerFactory loggers,
    TimeProvider clock) : BackgroundService
{
    public const string SectionName = "Collectors";

    private readonly List<CollectorRunner> _runners = [];

    public IReadOnlyList<CollectorStatus> Statuses => _runners.Select(r => r.Status).ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var sections = configuration.GetSection(SectionName).GetChildren().ToList();
        if (sections.Count == 0) return;
        if (!await lifetime.WaitForStartAsync(stoppingToken)) return;

        var logger = loggers.CreateLogger<ConfiguredCollectors>();
        var self = server.ListeningAddress();
        var runs = new List<Task>();
        foreach (var section in sections)
        {
            var source = section["Source"] ?? section.Key;
            if (!CollectorProfile.All.TryGetValue(source, out var profile))
            {
                logger.LogError("Collectors:{Name}: unknown source '{Source}' (one of {Sources})", section.Key, source, string.Join(", ", CollectorProfile.All.Keys));
                continue;
            }
            var settings = section.Get<CollectorSettings>() ?? new CollectorSettings();
            settings.Name ??= section.Key;
            if (string.IsNullOrEmpty(settings.Console) && self is not null) settings.Console = self;
            if (string.IsNullOrEmpty(settings.Key))
            {
                settings.Key = ApiKeyStore.NewKey();
                keys.AddLocal(settings.Key);
            }
            if (settings.Problem() is { } problem)
            {
                logger.LogError("Collectors:{Name}: {Problem}", section.Key, problem);
                continue;
            }
            try
            {
                var runner = new CollectorRunner(profile, settings, section, loggers, clock);
                _runners.Add(runner);
                runs.Add(RunLoggedAsync(runner, logger, stoppingToken));
            }
            catch (ArgumentException ex)
            {
                logger.LogError("Collectors:{Name}: {Problem}", section.Key, ex.Message);
            }
        }
        await Task.WhenAll(runs);
    }

    private static async Task RunLoggedAsync(CollectorRunner runner, ILogger logger, CancellationToken stoppingToken)
    {
        try
        {
            await runner.RunAsync(stoppingToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogError(ex, "Collector {Name} stopped", runner.Identity.Name);
        }
    }

    public override void Dispose()
    {
        foreach (var runner in _runners) runner.Dispose();
        base.Dispose();
    }
}
