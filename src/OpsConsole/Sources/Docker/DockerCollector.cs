using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using OpsConsole.Features.Collectors;

namespace OpsConsole.Sources.Docker;

/// <summary>Options of <c>collect docker</c> (and Collectors:&lt;name&gt; with Source docker).</summary>
public sealed class DockerCollectorOptions
{
    /// <summary>The Engine API: unix:///var/run/docker.sock, or tcp://HOST:2375 / http(s)://HOST:PORT.</summary>
    public string Docker { get; set; } = "unix:///var/run/docker.sock";

    /// <summary>The host name records are filed under (docker/&lt;host&gt;/&lt;container&gt;).</summary>
    public string Host { get; set; } = Environment.MachineName;
}

/// <summary>
/// Follows the Engine API's /events stream, filtered by the daemon to container die, oom, kill and
/// health_status events, and adds what the event does not say from the container's inspect data (exit code,
/// OOMKilled, restart count) as attributes. A broken stream resumes with since= the last event's time.
/// </summary>
public sealed class DockerCollector(HttpClient engine, DockerCollectorOptions options, ILogger logger) : ISourceCollector
{
    private readonly SentFacts _sent = new(10_000);

    /// <summary>The daemon-side filter: only the container events that can state a failure.</summary>
    public const string Filters = """{"type":["container"],"event":["die","oom","kill","health_status"]}""";

    public static ISourceCollector Create(IConfiguration configuration, ILoggerFactory loggers)
    {
        var options = configuration.Get<DockerCollectorOptions>() ?? new DockerCollectorOptions();
        if (!Uri.TryCreate(options.Docker, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("unix" or "tcp" or "http" or "https"))
            throw new ArgumentException("--docker must be unix:///path/docker.sock, tcp://HOST:PORT or http(s)://HOST:PORT");
        HttpClient http;
        if (endpoint.Scheme == "unix")
        {
            var socket = endpoint.AbsolutePath;
            http = new HttpClient(new SocketsHttpHandler
            {
                ConnectCallback = async (_, ct) =>
                {
                    var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                    try
                    {
                        await s.ConnectAsync(new UnixDomainSocketEndPoint(socket), ct);
                        return new NetworkStream(s, ownsSocket: true);
                    }
                    catch
                    {
                        s.Dispose();
                        throw;
                    }
                },
            }) { BaseAddress = new Uri("http://docker/") };
        }
        else
        {
            http = new HttpClient { BaseAddress = new Uri($"{(endpoint.Scheme == "tcp" ? "http" : endpoint.Scheme)}://{endpoint.Authority}/") };
        }
        http.Timeout = Timeout.InfiniteTimeSpan; // the events stream stays open for as long as the daemon runs
        return new DockerCollector(http, options, loggers.CreateLogger<DockerCollector>());
    }

    public async Task RunAsync(CollectorOutbox outbox, CancellationToken cancellationToken)
    {
        string? since = null;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var url = $"events?filters={Uri.EscapeDataString(Filters)}{(since is null ? "" : "&since=" + since)}";
                using var response = await engine.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
                response.EnsureSuccessStatusCode();
                logger.LogInformation("Following {Endpoint} events{Since}", options.Docker, since is null ? "" : $" since {since}");
                using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
                while (await reader.ReadLineAsync(cancellationToken) is { } line)
                {
                    attempt = 0;
                    if (string.IsNullOrWhiteSpace(line)) continue;
                    // since= repeats the events of its own second: those were sent already.
                    if (!_sent.AddNew([EventKey(line)])) continue;
                    var item = await EnrichAsync(line, cancellationToken);
                    if (item is null) continue;
                    since = SinceOf(item) ?? since;
                    outbox.Offer([item.ToJsonString()], options.Host);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or JsonException && !cancellationToken.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt++)) * (0.5 + Random.Shared.NextDouble() / 2));
                logger.LogWarning("Docker events stream broke ({Error}); resuming in {Wait}", ex.Message, wait);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    /// <summary>The event with the container's inspect facts added to Actor.Attributes (strings, as the daemon writes them).</summary>
    private async Task<JsonObject?> EnrichAsync(string line, CancellationToken cancellationToken)
    {
        if (JsonNode.Parse(line) is not JsonObject ev) return null;
        var id = ev["Actor"]?["ID"]?.GetValue<string>() ?? ev["id"]?.GetValue<string>();
        if (id is null) return ev;
        using var response = await engine.GetAsync($"containers/{Uri.EscapeDataString(id)}/json", cancellationToken);
        // A container started with --rm may be gone by now: the event alone is still worth sending.
        if (response.StatusCode == HttpStatusCode.NotFound) return ev;
        response.EnsureSuccessStatusCode();
        using var inspect = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(cancellationToken));
        var root = inspect.RootElement;
        if (ev["Actor"] is not JsonObject actor) ev["Actor"] = actor = new JsonObject { ["ID"] = id };
        if (actor["Attributes"] is not JsonObject attributes) actor["Attributes"] = attributes = new JsonObject();
        if (root.TryGetProperty("State", out var state))
        {
            var action = ev["Action"]?.GetValue<string>() ?? ev["status"]?.GetValue<string>();
            if (action == "die" && !attributes.ContainsKey("exitCode") && state.TryGetProperty("ExitCode", out var exit))
                attributes["exitCode"] = exit.GetInt32().ToString(CultureInfo.InvariantCulture);
            if (state.TryGetProperty("OOMKilled", out var oom) && oom.ValueKind is JsonValueKind.True or JsonValueKind.False)
                attributes["oomKilled"] = oom.GetBoolean() ? "true" : "false";
        }
        if (root.TryGetProperty("RestartCount", out var restarts) && restarts.ValueKind == JsonValueKind.Number)
            attributes["restartCount"] = restarts.GetInt32().ToString(CultureInfo.InvariantCulture);
        return ev;
    }

    private static string EventKey(string line)
    {
        using var document = JsonDocument.Parse(line);
        var root = document.RootElement;
        string? Text(JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v.ToString() : null;
        var id = root.TryGetProperty("Actor", out var actor) ? Text(actor, "ID") : Text(root, "id");
        return $"{id}|{Text(root, "Action") ?? Text(root, "status")}|{Text(root, "timeNano") ?? Text(root, "time")}";
    }

    /// <summary>since= for a resumed stream: the event's own time, to the nanosecond where the daemon gave it.</summary>
    private static string? SinceOf(JsonObject ev)
    {
        if (ev["timeNano"] is JsonValue nanoValue && nanoValue.TryGetValue<long>(out var nanos))
            return $"{nanos / 1_000_000_000}.{nanos % 1_000_000_000:D9}";
        return ev["time"] is JsonValue timeValue && timeValue.TryGetValue<long>(out var seconds) ? seconds.ToString(CultureInfo.InvariantCulture) : null;
    }
}
