using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Data;
using OpsConsole.Features.Auth;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Ingestion;

public static class IngestionEndpoints
{
    public static RouteGroupBuilder MapIngestion(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1").WithTags("Ingestion").RequireAuthorization(ApiPolicies.Ingest);

        group.MapPost("/unit-status", (HttpContext http, IngestionPipeline pipeline, IOptionsMonitor<IngestionOptions> options, CancellationToken ct) =>
                IngestAsync(PayloadFormats.Unit, http, pipeline, options.CurrentValue, ct))
            .WithName("IngestUnitStatus")
            .WithSummary("Aos cloud-protocol unitStatus and alerts messages (v6 and v7), one or an array.");
        group.MapPost("/container-exits", (HttpContext http, IngestionPipeline pipeline, IOptionsMonitor<IngestionOptions> options, CancellationToken ct) =>
                IngestAsync(PayloadFormats.Container, http, pipeline, options.CurrentValue, ct))
            .WithName("IngestContainerExits")
            .WithSummary("Kubernetes Pod/PodList/Event/EventList, Container Apps system logs, Docker events, or the simple shape.");
        group.MapPost("/vm-events", (HttpContext http, IngestionPipeline pipeline, IOptionsMonitor<IngestionOptions> options, CancellationToken ct) =>
                IngestAsync(PayloadFormats.Vm, http, pipeline, options.CurrentValue, ct))
            .WithName("IngestVmEvents")
            .WithSummary("Nova servers, API errors, instance actions and notifications; MAAS events and machines; or the simple shape.");
        return group;
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult>> IngestAsync(
        string kind, HttpContext http, IngestionPipeline pipeline, IngestionOptions options, CancellationToken cancellationToken)
    {
        // Where the request's time went (body read, parse, classify, the store's wait, hold and commit), for the sender.
        var started = Stopwatch.GetTimestamp();
        var timing = RequestTiming.Start();
        try
        {
            // The parsed items point into the pooled body; it goes back to the pool when the request is done.
            using var body = await PayloadReader.ReadBodyAsync(http.Request, options.MaxBodyBytes, cancellationToken);
            var contentType = http.Request.ContentType ?? "";
            var newlineDelimited = contentType.Contains("ndjson", StringComparison.OrdinalIgnoreCase)
                                   || contentType.Contains("jsonl", StringComparison.OrdinalIgnoreCase)
                                   || contentType.Contains("json-seq", StringComparison.OrdinalIgnoreCase);
            using var items = PayloadReader.Split(body.Memory, newlineDelimited, options.MaxItems);
            var query = http.Request.Query;
            var result = await pipeline.IngestAsync(kind, items, query["format"].FirstOrDefault(), name => query[name].FirstOrDefault(), cancellationToken);
            timing.Add("total", Stopwatch.GetElapsedTime(started));
            http.Response.Headers["Server-Timing"] = timing.Header();
            return TypedResults.Ok(result);
        }
        catch (PayloadException ex)
        {
            OpsMetrics.IngestRejected.WithLabels(kind, "400").Inc();
            return Problems.BadRequest(ex.Message, ex.Item, ex.Field);
        }
        catch (PayloadTooLargeException ex)
        {
            OpsMetrics.IngestRejected.WithLabels(kind, "413").Inc();
            return Problems.TooLarge(ex.Message);
        }
    }
}
