using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace OpsConsole.Features.Collectors;

/// <summary>
/// Drains the file queue into the console's ingestion API, oldest first. A batch leaves the queue only when
/// the console answered 2xx; an unreachable console, a 5xx or a 429 means wait (exponential back-off with
/// jitter, or the console's Retry-After) and send the same batch again. A 4xx other than 429 means the batch
/// itself is wrong, so it is set aside instead of blocking everything behind it. When there is nothing to
/// send the sender still checks in every heartbeat interval (an empty batch), so the console can tell a
/// quiet source from a dead collector.
/// </summary>
public sealed class ConsoleSender(
    HttpClient http, CollectorSettings settings, CollectorIdentity identity, FileQueue queue, CollectorStatus status,
    string heartbeatEndpoint, ILogger logger, TimeProvider clock)
{
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Raised with the sequences of batches the console accepted, after they left the queue.</summary>
    public event Action<IReadOnlyList<long>>? Delivered;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        queue.Enqueued += Wake;
        try
        {
            var attempt = 0;
            var lastContact = DateTimeOffset.MinValue;
            while (!cancellationToken.IsCancellationRequested)
            {
                var run = queue.PeekRun(settings.MaxBatchItems);
                if (run.Count == 0)
                {
                    if (clock.GetUtcNow() - lastContact >= settings.Heartbeat)
                    {
                        if ((await TrySendAsync(heartbeatEndpoint, "", [], cancellationToken)).Outcome == Outcome.Accepted) lastContact = clock.GetUtcNow();
                    }
                    await WaitAsync(settings.Heartbeat, cancellationToken);
                    continue;
                }

                var items = run.Sum(b => b.Lines.Count);
                var (outcome, retryAfter) = await TrySendAsync(run[0].Endpoint, run[0].Query, run.SelectMany(b => b.Lines), cancellationToken);
                switch (outcome)
                {
                    case Outcome.Accepted:
                        attempt = 0;
                        lastContact = clock.GetUtcNow();
                        queue.Remove(run);
                        status.OnSent(items);
                        Delivered?.Invoke(run.Select(b => b.Sequence).ToList());
                        break;
                    case Outcome.Refused:
                        queue.Reject(run);
                        status.OnDropped("refused", items);
                        break;
                    case Outcome.RetryLater:
                        await Task.Delay(retryAfter ?? Backoff(attempt++), clock, cancellationToken);
                        break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        finally
        {
            queue.Enqueued -= Wake;
        }
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    private async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        await _wake.WaitAsync(timeout, cancellationToken);
    }

    /// <summary>Full jitter: a random wait between half and all of the capped exponential delay.</summary>
    private TimeSpan Backoff(int attempt)
    {
        var capped = Math.Min(settings.RetryMax.TotalMilliseconds, settings.RetryBase.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 20)));
        return TimeSpan.FromMilliseconds(capped * (0.5 + Random.Shared.NextDouble() / 2));
    }

    private enum Outcome { Accepted, Refused, RetryLater }

    private async Task<(Outcome Outcome, TimeSpan? RetryAfter)> TrySendAsync(string endpoint, string query, IEnumerable<string> lines, CancellationToken cancellationToken)
    {
        var url = new Uri(settings.ConsoleUri, $"api/v1/{endpoint}{(query.Length > 0 ? "?" + query : "")}");
        using var request = new HttpRequestMessage(HttpMethod.Post, url);
        request.Headers.Add("X-Api-Key", settings.Key);
        identity.AddTo(request, queue.Backlog);
        var text = string.Join('\n', lines);
        // A heartbeat is an empty JSON array: accepted, stores nothing, and carries the identity headers.
        request.Content = new StringContent(text.Length == 0 ? "[]" : text, Encoding.UTF8);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue(text.Length == 0 ? "application/json" : "application/x-ndjson");
        try
        {
            using var response = await http.SendAsync(request, cancellationToken);
            if (response.IsSuccessStatusCode) return (Outcome.Accepted, null);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var error = $"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}: {Shorten(body)}";
            if ((int)response.StatusCode >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
            {
                status.OnError(error, willRetry: true);
                logger.LogWarning("Console busy or failing, will retry: {Error}", error);
                var retryAfter = response.Headers.RetryAfter?.Delta;
                return (Outcome.RetryLater, retryAfter is { } d && d < settings.RetryMax ? d : null);
            }
            // 401/403 is a configuration fault, not a bad batch: keep the data and retry until someone fixes the key.
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                status.OnError(error, willRetry: true);
                logger.LogError("The console refused the collector's key: {Error}", error);
                return (Outcome.RetryLater, settings.RetryMax);
            }
            status.OnError(error, willRetry: false);
            logger.LogError("The console refused a batch, set aside in the queue's rejected folder: {Error}", error);
            return (Outcome.Refused, null);
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            status.OnError($"{url.GetLeftPart(UriPartial.Authority)} unreachable: {ex.Message}", willRetry: true);
            logger.LogWarning("Console unreachable, will retry: {Error}", ex.Message);
            return (Outcome.RetryLater, null);
        }
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
