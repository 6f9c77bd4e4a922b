using Microsoft.Extensions.Options;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.SourceHealth;

namespace OpsConsole.Features.Collectors;

/// <summary>One collector as the Sources page lists it.</summary>
public sealed record CollectorSummary(
    string Name, string Source, string Version, string Host, DateTimeOffset LastContactAt, int Backlog, long Items, bool IsSilent);

/// <summary>
/// The console's view of its collectors, learnt from the identity headers on every ingestion request (batches
/// and idle heartbeats alike). A collector that has not been in touch for Sources:SilentAfter is silent, as a
/// sender is. Kept in memory: after a console restart each collector reappears with its next request.
/// </summary>
public sealed class CollectorContacts(IOptionsMonitor<SourcesOptions> options, TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Contact> _collectors = new(StringComparer.Ordinal);

    private sealed record Contact(CollectorIdentity Identity, DateTimeOffset At, int Backlog, long Items);

    /// <summary>Records a request's identity headers, if it carries any; <paramref name="items"/> is what it brought.</summary>
    public void Record(IHeaderDictionary headers, int items)
    {
        if (headers[CollectorIdentity.NameHeader].FirstOrDefault() is not { Length: > 0 } name) return;
        var identity = new CollectorIdentity(
            Limit(name), Limit(headers[CollectorIdentity.SourceHeader].FirstOrDefault() ?? "?"),
            Limit(headers[CollectorIdentity.VersionHeader].FirstOrDefault() ?? "?"), Limit(headers[CollectorIdentity.HostHeader].FirstOrDefault() ?? "?"));
        var backlog = int.TryParse(headers[CollectorIdentity.BacklogHeader].FirstOrDefault(), out var b) && b >= 0 ? b : 0;
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            var total = _collectors.GetValueOrDefault(identity.Name)?.Items ?? 0;
            _collectors[identity.Name] = new Contact(identity, now, backlog, total + items);
        }
    }

    public IReadOnlyList<CollectorSummary> Summaries()
    {
        var now = clock.GetUtcNow();
        var silentAfter = options.CurrentValue.SilentAfter;
        lock (_gate)
        {
            return _collectors.Values
                .Select(c => new CollectorSummary(c.Identity.Name, c.Identity.Source, c.Identity.Version, c.Identity.Host, c.At, c.Backlog, c.Items,
                    now - c.At > silentAfter))
                .OrderByDescending(c => c.IsSilent).ThenBy(c => c.Name, StringComparer.Ordinal)
                .ToList();
        }
    }

    /// <summary>Header values are the caller's text: keep them short enough for a table cell.</summary>
    private static string Limit(string value) => value.Length <= 120 ? value : value[..120];

    /// <summary>Learns about collectors from authorized ingestion requests, after they succeeded.</summary>
    public static async ValueTask<object?> RecordContact(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        var items = result switch
        {
            Microsoft.AspNetCore.Http.HttpResults.Results<Microsoft.AspNetCore.Http.HttpResults.Ok<IngestResult>, Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>
                { Result: Microsoft.AspNetCore.Http.HttpResults.Ok<IngestResult> { Value: { } ingested } } => ingested.Records.Count,
            _ => -1,
        };
        if (items >= 0) context.HttpContext.RequestServices.GetRequiredService<CollectorContacts>().Record(context.HttpContext.Request.Headers, items);
        return result;
    }
}
