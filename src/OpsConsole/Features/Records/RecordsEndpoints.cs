using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsConsole.Features.Auth;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Records;

public static class RecordsEndpoints
{
    public static RouteGroupBuilder MapRecords(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/records").WithTags("Records").RequireAuthorization(ApiPolicies.Read);
        group.MapGet("/", ListAsync).WithName("ListRecords").WithSummary("Stored records, newest first, keyset-paged by cursor.");
        group.MapGet("/{id:long}", GetAsync).WithName("GetRecord").WithSummary("One record with its original payload item.");
        return group;
    }

    private static async Task<Results<Ok<RecordPage>, ProblemHttpResult>> ListAsync(
        RecordQueries queries, string? kind, string? source, string? category, string? family, string? severity, string? instance,
        string? since, string? until, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if (!TryTime(since, out var sinceTime)) return Problems.BadRequest("'since' must be an ISO 8601 timestamp.", field: "since", title: "Bad query");
        if (!TryTime(until, out var untilTime)) return Problems.BadRequest("'until' must be an ISO 8601 timestamp.", field: "until", title: "Bad query");
        long? before = null;
        if (cursor is { Length: > 0 })
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Problems.BadRequest("'cursor' must be the nextCursor of a previous page.", field: "cursor", title: "Bad query");
            before = parsed;
        }
        var filter = new RecordFilter(kind, source, category, family, severity, instance, sinceTime, untilTime);
        return TypedResults.Ok(await queries.ListAsync(filter, before, limit ?? 100, cancellationToken));
    }

    private static async Task<Results<Ok<RecordDto>, ProblemHttpResult>> GetAsync(long id, RecordQueries queries, CancellationToken cancellationToken) =>
        await queries.FindAsync(id, cancellationToken) is { } record ? TypedResults.Ok(record) : Problems.NotFound($"No record {id}.");

    internal static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (string.IsNullOrEmpty(text)) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        time = parsed;
        return true;
    }
}
