namespace OpsConsole.Features.Collectors;

/// <summary>One running collector: its source, its file queue and the sender draining that queue to the console.</summary>
public sealed class CollectorRunner : IDisposable
{
    private readonly ISourceCollector _source;
    private readonly CollectorOutbox _outbox;
    private readonly ConsoleSender _sender;
    private readonly HttpClient _http;
    private readonly ILogger _logger;

    public CollectorRunner(CollectorProfile profile, CollectorSettings settings, IConfiguration section, ILoggerFactory loggers, TimeProvider clock)
    {
        Identity = CollectorIdentity.For(profile.Source, settings.Name);
        _logger = loggers.CreateLogger($"OpsConsole.Collectors.{profile.Source}");
        var queue = new FileQueue(settings.Buffer ?? Path.Combine("data", "collectors", SafeName(Identity.Name)));
        Status = new CollectorStatus(Identity, queue, clock);
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        _sender = new ConsoleSender(_http, settings, Identity, queue, Status, profile.Endpoint, _logger, clock);
        _outbox = new CollectorOutbox(profile, queue, Status, _sender, _logger, clock);
        _source = profile.Create(section, loggers);
    }

    public CollectorIdentity Identity { get; }
    public CollectorStatus Status { get; }

    /// <summary>Runs until cancelled; a source that fails for good (bad configuration) ends the run with its error.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _logger.LogInformation("Collector {Name} ({Source} {Version} on {Host}) started; backlog {Backlog}",
            Identity.Name, Identity.Source, Identity.Version, Identity.Host, Status.Backlog);
        var sending = _sender.RunAsync(stop.Token);
        try
        {
            await _source.RunAsync(_outbox, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        finally
        {
            await stop.CancelAsync();
            await sending;
        }
    }

    private static string SafeName(string name) => string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    public void Dispose() => _http.Dispose();
}
