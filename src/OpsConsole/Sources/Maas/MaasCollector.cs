using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using OpsConsole.Features.Collectors;

namespace OpsConsole.Sources.Maas;

/// <summary>Options of <c>collect maas</c> (and Collectors:&lt;name&gt; with Source maas).</summary>
public sealed class MaasCollectorOptions
{
    /// <summary>The region's URL as the CLI logs in to it, e.g. http://maas.example.com:5240/MAAS.</summary>
    public string Maas { get; set; } = "";

    /// <summary>A MAAS API key, consumer_key:token_key:token_secret (maas apikey --username USER).</summary>
    public string MaasKey { get; set; } = "";

    /// <summary>The region name records are filed under (maas/&lt;region&gt;/&lt;system_id&gt;); the URL's host when empty.</summary>
    public string? Region { get; set; }

    /// <summary>How often the region is polled.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Events asked for per request.</summary>
    public int PageSize { get; set; } = 100;
}

/// <summary>
/// Polls a MAAS region: events?op=query with after= the newest event id already seen (paging forward while
/// pages come back full), and the machines list, sending a machine when it is first seen and whenever its
/// status changes. Every request is signed with the API key (OAuth 1.0, PLAINTEXT).
/// </summary>
public sealed class MaasCollector(HttpClient http, MaasCollectorOptions options, MaasOAuth oauth, string region, ILogger logger) : ISourceCollector
{
    private readonly Dictionary<string, string?> _statuses = new(StringComparer.Ordinal);
    private long? _after;

    public static ISourceCollector Create(IConfiguration configuration, ILoggerFactory loggers)
    {
        var options = configuration.Get<MaasCollectorOptions>() ?? new MaasCollectorOptions();
        if (!Uri.TryCreate(options.Maas, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            throw new ArgumentException("collect maas needs --maas http://REGION:5240/MAAS (the URL `maas login` uses)");
        var oauth = MaasOAuth.FromApiKey(options.MaasKey)
                    ?? throw new ArgumentException("--maas-key must be a MAAS API key, consumer_key:token_key:token_secret");
        if (options.Interval <= TimeSpan.Zero || options.PageSize is < 1 or > 1000)
            throw new ArgumentException("--interval must be positive and --page-size between 1 and 1000");
        var http = new HttpClient
        {
            BaseAddress = new Uri(options.Maas.TrimEnd('/') + "/api/2.0/"),
            Timeout = TimeSpan.FromSeconds(60),
        };
        return new MaasCollector(http, options, oauth, options.Region is { Length: > 0 } r ? r : url.Host, loggers.CreateLogger<MaasCollector>());
    }

    public async Task RunAsync(CollectorOutbox outbox, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Interval);
        do
        {
            try
            {
                await PollEventsAsync(outbox, cancellationToken);
                await PollMachinesAsync(outbox, cancellationToken);
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or IOException
                                           || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
            {
                logger.LogWarning("Polling MAAS {Region} failed ({Error}); next try in {Interval}", region, ex.Message, options.Interval);
            }
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }

    private async Task PollEventsAsync(CollectorOutbox outbox, CancellationToken cancellationToken)
    {
        while (true)
        {
            var query = $"events/?op=query&limit={options.PageSize}{(_after is { } after ? $"&after={after}" : "")}";
            using var page = await GetAsync(query, cancellationToken);
            var events = page.RootElement.GetProperty("events");
            var count = events.GetArrayLength();
            if (count == 0) return;
            if (!outbox.Offer([CollectorOutbox.Compact(page.RootElement)], region)) return;
            _after = Math.Max(_after ?? 0, events.EnumerateArray().Max(e => e.GetProperty("id").GetInt64()));
            if (count < options.PageSize) return;
        }
    }

    private async Task PollMachinesAsync(CollectorOutbox outbox, CancellationToken cancellationToken)
    {
        using var machines = await GetAsync("machines/", cancellationToken);
        foreach (var machine in machines.RootElement.EnumerateArray())
        {
            if (!machine.TryGetProperty("system_id", out var id) || id.GetString() is not { } systemId) continue;
            var status = machine.TryGetProperty("status_name", out var name) ? name.GetString() : null;
            if (_statuses.TryGetValue(systemId, out var known) && known == status) continue;
            if (outbox.Offer([CollectorOutbox.Compact(machine)], region)) _statuses[systemId] = status;
        }
    }

    private async Task<JsonDocument> GetAsync(string relative, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, relative);
        request.Headers.Authorization = oauth.Header();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        return await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
    }
}

/// <summary>
/// The Authorization header MAAS expects: OAuth 1.0 with the PLAINTEXT method, where the signature is the
/// consumer secret (empty for MAAS keys) and the token secret joined by '&amp;', percent-encoded (RFC 5849 §3.4.4).
/// </summary>
public sealed record MaasOAuth(string ConsumerKey, string TokenKey, string TokenSecret)
{
    public static MaasOAuth? FromApiKey(string? key) =>
        key?.Split(':') is [{ Length: > 0 } consumer, { Length: > 0 } token, { Length: > 0 } secret] ? new MaasOAuth(consumer, token, secret) : null;

    public AuthenticationHeaderValue Header()
    {
        var nonce = Guid.NewGuid().ToString("N");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var parameters = new[]
        {
            ("oauth_version", "1.0"), ("oauth_signature_method", "PLAINTEXT"), ("oauth_consumer_key", ConsumerKey),
            ("oauth_token", TokenKey), ("oauth_signature", "&" + Uri.EscapeDataString(TokenSecret)),
            ("oauth_nonce", nonce), ("oauth_timestamp", timestamp),
        };
        return new AuthenticationHeaderValue("OAuth", string.Join(", ", parameters.Select(p => $"{p.Item1}=\"{Uri.EscapeDataString(p.Item2)}\"")));
    }
}
