using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpsConsole.Tests.Features.Collectors;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sources.Maas;

/// <summary>
/// <c>collect maas</c> against a region stand-in answering with MAAS's own recorded API examples
/// (tests/corpus/maas, provenance in its manifest.json) and checking every request's OAuth PLAINTEXT header.
/// </summary>
public sealed class MaasCollectorTests : IDisposable
{
    private const string ConsumerKey = "Xh4pPL6sTmzAwvLbNY";
    private const string TokenKey = "4bUaVM5sWqRPnTTm5e";
    private const string TokenSecret = "tVyq9N7ZwxDdR5qUWh8yzLrDc6fJXAP3";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-collector", Guid.NewGuid().ToString("n"));

    public MaasCollectorTests() => Directory.CreateDirectory(_directory);

    private static JsonNode Corpus(string file) => JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "tests", "corpus", "maas", file)))!;

    /// <summary>RFC 5849 §3.5.1 header parameters, percent-decoded; PLAINTEXT's signature is "consumer_secret&amp;token_secret".</summary>
    private static bool SignedWithTheKey(string? header)
    {
        if (header is null || !header.StartsWith("OAuth ", StringComparison.Ordinal)) return false;
        var parameters = header["OAuth ".Length..].Split(',', StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1].Trim('"')));
        return parameters.GetValueOrDefault("oauth_signature_method") == "PLAINTEXT"
               && parameters.GetValueOrDefault("oauth_consumer_key") == ConsumerKey
               && parameters.GetValueOrDefault("oauth_token") == TokenKey
               && parameters.GetValueOrDefault("oauth_signature") == "&" + TokenSecret
               && parameters.ContainsKey("oauth_nonce") && long.TryParse(parameters.GetValueOrDefault("oauth_timestamp"), out _);
    }

    [Fact]
    public async Task Events_are_read_forward_from_the_last_id_and_machines_are_sent_when_their_status_changes()
    {
        // The docs' two events (ids 167, 170) come first, then the region's recorded page (1663-1667), then nothing newer.
        var zebra = Corpus("events-docs-fun-zebra.json")["events"]!.AsArray();
        var firstPage = new JsonObject { ["count"] = zebra.Count, ["events"] = zebra.DeepClone(), ["next_uri"] = "/MAAS/api/2.0/events/?op=query&limit=100&after=170" };
        var secondPage = Corpus("events-query-rack-import.json");
        var machinePolls = 0;
        var badSignatures = 0;

        await using var region = await ReplayServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                if (!SignedWithTheKey(context.Request.Headers.Authorization))
                {
                    Interlocked.Increment(ref badSignatures);
                    context.Response.StatusCode = 401;
                    return;
                }
                await next(context);
            });
            app.MapGet("/MAAS/api/2.0/events/", (HttpContext context) =>
            {
                if (context.Request.Query["op"] != "query") return Results.BadRequest();
                return context.Request.Query["after"].ToString() switch
                {
                    "" => Results.Text(firstPage.ToJsonString(), "application/json"),
                    "170" => Results.Text(secondPage.ToJsonString(), "application/json"),
                    var after => Results.Text($$"""{"count": 0, "events": [], "next_uri": "/MAAS/api/2.0/events/?op=query&limit=100&after={{after}}"}""", "application/json"),
                };
            });
            app.MapGet("/MAAS/api/2.0/machines/", () =>
            {
                // thr3am is allocated, then marked broken; recrwg stays deployed throughout.
                var first = Interlocked.Increment(ref machinePolls) == 1;
                var machines = new JsonArray(Corpus(first ? "machine-allocate.json" : "machine-mark-broken.json"), Corpus("machine-lock-deployed.json"));
                return Results.Text(machines.ToJsonString(), "application/json");
            });
        });

        using var console = new KestrelConsole();
        await using var collector = CollectorProcess.Start("maas", "--console", console.Address.ToString(), "--key", OpsConsoleFactory.ApiKey,
            "--maas", new Uri(region.Address, "/MAAS").ToString(), "--maas-key", $"{ConsumerKey}:{TokenKey}:{TokenSecret}",
            "--region", "lab", "--interval", "00:00:00.200", "--buffer", Path.Combine(_directory, "queue"));

        // Two event pages (sent as the region returned them) + thr3am Allocated, recrwg Deployed, thr3am Broken.
        await collector.WaitHealthAsync(h => h.GetProperty("itemsSent").GetInt64() >= 5, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 50 && machinePolls < 4; i++) await Task.Delay(100);
        Assert.Equal(5, (await collector.HealthAsync()).GetProperty("itemsSent").GetInt64());
        Assert.Equal(0, badSignatures);
        var afters = region.Requests.Where(r => r.Path == "/MAAS/api/2.0/events/").Select(r => r.Query["after"].ToString()).Distinct().ToList();
        Assert.Equal(["", "170", "1667"], afters);

        using var http = console.CreateNetworkClient();
        var records = (await (await http.GetAsync("/api/v1/records?source=maas&limit=100")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(2 + 5, records.Count(r => r.GetProperty("format").GetString() == "maas-event"));
        Assert.All(records, r => Assert.StartsWith("maas/lab/", r.GetProperty("instance").GetString()));
        var statuses = records.Where(r => r.GetProperty("format").GetString() == "maas-machine")
            .Select(r => $"{r.GetProperty("instance").GetString()}={r.GetProperty("state").GetString()}").Order(StringComparer.Ordinal);
        Assert.Equal(["maas/lab/recrwg=Deployed", "maas/lab/thr3am=Allocated", "maas/lab/thr3am=Broken"], statuses);
    }

    [Fact]
    public void The_authorization_header_is_oauth_plaintext_with_the_percent_encoded_signature()
    {
        var header = OpsConsole.Sources.Maas.MaasOAuth.FromApiKey($"{ConsumerKey}:{TokenKey}:{TokenSecret}")!.Header();
        Assert.Equal("OAuth", header.Scheme);
        Assert.Contains($"oauth_signature=\"%26{TokenSecret}\"", header.Parameter);
        Assert.True(SignedWithTheKey(header.ToString()));
        Assert.Null(OpsConsole.Sources.Maas.MaasOAuth.FromApiKey("not-a-key"));
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
