using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Ingestion;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Demo;

public sealed class DemoOptions
{
    public const string SectionName = "Demo";

    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>
/// <c>--demo</c>: a fleet that fails in realistic ways. Every interval it posts one payload, shaped as the
/// real systems emit them (Kubernetes, Container Apps, Docker, Aos, Nova, MAAS), with fresh ids and times,
/// through the real ingestion HTTP API with a key of its own. Some instances come from small pools
/// (<c>{{digit}}</c>, <c>{{slot}}</c>) and also recover (a container starts again, a server reaches ACTIVE), so the
/// failing list changes like a real one instead of only growing.
/// </summary>
public sealed class DemoFleetFeeder(
    IServer server,
    IHostApplicationLifetime lifetime,
    ApiKeyStore keys,
    IOptions<DemoOptions> options,
    TimeProvider clock,
    ILogger<DemoFleetFeeder> logger) : BackgroundService
{
    private static readonly (string Endpoint, string Template)[] Templates = LoadTemplates();

    /// <summary>Every payload template the fleet posts, with its endpoint.</summary>
    public static IReadOnlyList<(string Endpoint, string Template)> AllTemplates => Templates;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await lifetime.WaitForStartAsync(stoppingToken)) return;
        var address = server.ListeningAddress();
        if (address is null)
        {
            logger.LogWarning("Demo fleet: the server reports no listening address; not feeding.");
            return;
        }

        var key = ApiKeyStore.NewKey();
        keys.AddLocal(key);
        using var http = new HttpClient { BaseAddress = new Uri(address) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        logger.LogInformation("Demo fleet feeding {Address} every {Interval}", http.BaseAddress, options.Value.Interval);

        var sequence = 0;
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            var (endpoint, template) = Templates[sequence % Templates.Length];
            var body = Fill(template, ++sequence, clock.GetUtcNow());
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
                using var response = await http.PostAsync($"/api/v1/{endpoint}", content, stoppingToken);
                if (!response.IsSuccessStatusCode)
                    logger.LogWarning("Demo fleet: {Endpoint} answered {Status}", endpoint, (int)response.StatusCode);
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning(ex, "Demo fleet: posting to {Endpoint} failed", endpoint);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Replaces the template placeholders with fresh values; public for the tests, which pass a seeded random.</summary>
    public static string Fill(string template, int sequence, DateTimeOffset now, Random? random = null)
    {
        random ??= Random.Shared;
        var before = now.AddSeconds(-17);
        return template
            .Replace("{{id}}", Guid.NewGuid().ToString())
            .Replace("{{id2}}", Guid.NewGuid().ToString())
            .Replace("{{hex}}", Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()))
            .Replace("{{short}}", Convert.ToHexStringLower(BitConverter.GetBytes(random.Next()))[..5])
            .Replace("{{digit}}", random.Next(1, 4).ToString(CultureInfo.InvariantCulture))
            .Replace("{{slot}}", random.Next(1, 5).ToString(CultureInfo.InvariantCulture))
            .Replace("{{n}}", sequence.ToString(CultureInfo.InvariantCulture))
            .Replace("{{nowUnix}}", now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture))
            .Replace("{{nowNano}}", (now.ToUnixTimeMilliseconds() * 1_000_000).ToString(CultureInfo.InvariantCulture))
            .Replace("{{maasNow}}", now.ToString("ddd, d MMM. yyyy HH:mm:ss", CultureInfo.InvariantCulture))
            .Replace("{{maasBefore}}", before.ToString("ddd, d MMM. yyyy HH:mm:ss", CultureInfo.InvariantCulture))
            .Replace("{{before}}", before.ToString("O", CultureInfo.InvariantCulture))
            .Replace("{{now}}", now.ToString("O", CultureInfo.InvariantCulture));
    }

    private static (string, string)[] LoadTemplates()
    {
        var assembly = typeof(DemoFleetFeeder).Assembly;
        const string prefix = "OpsConsole.Features.Demo.Templates.";
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                using var reader = new StreamReader(stream);
                var endpoint = name[prefix.Length..].Split('.')[0];
                return (endpoint, reader.ReadToEnd());
            })
            // Round-robin over the endpoints, so a newcomer sees containers, units and machines within the first ticks.
            .GroupBy(t => t.endpoint)
            .SelectMany(g => g.Select((template, i) => (template, i)))
            .OrderBy(t => t.i)
            .Select(t => t.template)
            .ToArray();
    }
}

public static class DemoExtensions
{
    public static IServiceCollection AddDemoFleet(this IServiceCollection services)
    {
        services.AddOptions<DemoOptions>().BindConfiguration(DemoOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddHostedService<DemoFleetFeeder>();
        return services;
    }
}
