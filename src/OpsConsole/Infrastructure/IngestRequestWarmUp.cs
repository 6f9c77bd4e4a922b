using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Hosting.Server;
using OpsConsole.Features.Ingestion;

namespace OpsConsole.Infrastructure;

/// <summary>
/// The first request on an ingest endpoint compiles the HTTP path around the pipeline (Kestrel reading a POST body,
/// routing, the API-key handler and the ingest policy, the endpoint's handler and filter, the JSON answer): on a fresh
/// console that was about as long again as the pipeline's own part, outside the request's Server-Timing clock, while
/// the first sender waited. <see cref="IngestWarmUp"/> cannot reach it, as it runs before the console listens. So once
/// it listens, one empty batch (<c>[]</c>, which stores nothing) goes to each ingest endpoint over loopback with a key
/// accepted for those requests only, and /healthz answers healthy only after them. They count in the request metrics.
/// </summary>
public sealed class IngestRequestWarmUp(IServer server, IHostApplicationLifetime lifetime, ApiKeyStore keys, ILogger<IngestRequestWarmUp> logger)
    : BackgroundService
{
    internal static readonly string[] Endpoints = ["unit-status", "container-exits", "vm-events"];

    /// <summary>However the requests fare, the console reports healthy after this: a warm-up must never keep it down.</summary>
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(20);

    private volatile bool _done;

    /// <summary>The requests were answered (or given up), or there is nothing to send them to (the tests' in-memory server).</summary>
    public bool Done => _done || server.ListeningAddress() is null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (!await lifetime.WaitForStartAsync(stoppingToken) || server.ListeningAddress() is not { } address) return;
            using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            giveUp.CancelAfter(GiveUpAfter);
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            var started = Stopwatch.GetTimestamp();
            var answers = await PostEmptyBatchesAsync(http, keys, ApiKeyStore.NewKey(), giveUp.Token);
            if (answers.All(a => a == HttpStatusCode.OK))
                logger.LogInformation("Ingest endpoints warmed up over {Address} in {Milliseconds:F0} ms", address, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            else
                logger.LogWarning("The start-up requests to the ingest endpoints answered {Answers}", string.Join(", ", answers));
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "The start-up requests to the ingest endpoints failed; the first sender's request compiles the path instead");
        }
        finally
        {
            _done = true;
        }
    }

    /// <summary>Posts <c>[]</c> to each ingest endpoint with <paramref name="key"/>, accepted only meanwhile; gives the answers' status codes.</summary>
    internal static async Task<IReadOnlyList<HttpStatusCode>> PostEmptyBatchesAsync(HttpClient http, ApiKeyStore keys, string key, CancellationToken cancellationToken)
    {
        keys.AddLocal(key);
        try
        {
            var answers = new List<HttpStatusCode>();
            foreach (var endpoint in Endpoints)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/{endpoint}") { Content = new StringContent("[]", Encoding.UTF8, "application/json") };
                request.Headers.Add("X-Api-Key", key);
                using var response = await http.SendAsync(request, cancellationToken);
                answers.Add(response.StatusCode);
            }
            return answers;
        }
        finally
        {
            keys.RemoveLocal(key);
        }
    }
}
