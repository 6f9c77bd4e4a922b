using Microsoft.AspNetCore.Http.HttpResults;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Records;
using OpsConsole.Features.Runbooks;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Instances;

public static class InstancesEndpoints
{
    public static RouteGroupBuilder MapInstances(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/instances").WithTags("Instances");
        group.MapGet("/failing", FailingAsync).WithName("ListFailingInstances")
            .WithSummary("One row per instance whose current state is a failure; sort by lastFailure, firstFailure, failures, severity or instance.")
            .RequireAuthorization(ApiPolicies.Read);
        // Instance keys contain slashes (k8s/cluster/ns/pod/container), so the key is the rest of the path.
        group.MapGet("/{**path}", TimelineAsync).WithName("GetInstanceTimeline")
            .WithSummary("GET /api/v1/instances/{key}/timeline: every record of one instance, newest first.")
            .RequireAuthorization(ApiPolicies.Read);
        group.MapPut("/{**path}", AcknowledgeAsync).WithName("AcknowledgeInstance")
            .WithSummary("PUT /api/v1/instances/{key}/acknowledgement with {status: acknowledged|muted, note, expiresAt?, untilRecovered?}: acknowledge or mute (1 h unless told) a failing instance.")
            .RequireAuthorization(ApiPolicies.Operate);
        group.MapDelete("/{**path}", ClearAcknowledgementAsync).WithName("ClearInstanceAcknowledgement")
            .WithSummary("DELETE /api/v1/instances/{key}/acknowledgement: clear an acknowledgement or mute.")
            .RequireAuthorization(ApiPolicies.Operate);
        return group;
    }

    private static async Task<Results<Ok<FailingPage>, ProblemHttpResult>> FailingAsync(
        InstanceQueries queries, string? kind, string? source, string? family, string? category, string? severity, string? search,
        string? since, string? until, string? sort, string? order, int? offset, int? limit, bool? includeMuted, CancellationToken cancellationToken)
    {
        if (!RecordsEndpoints.TryTime(since, out var sinceTime))
            return Problems.BadRequest("'since' must be an ISO 8601 timestamp.", field: "since", title: "Bad query");
        if (!RecordsEndpoints.TryTime(until, out var untilTime))
            return Problems.BadRequest("'until' must be an ISO 8601 timestamp.", field: "until", title: "Bad query");
        var sortBy = FailingSort.LastFailure;
        if (sort is { Length: > 0 } && !Enum.TryParse(sort, ignoreCase: true, out sortBy))
            return Problems.BadRequest($"'sort' must be one of {string.Join(", ", Enum.GetNames<FailingSort>())}.", field: "sort", title: "Bad query");
        var filter = new FailingFilter(kind, source, family, category, severity, search, sinceTime, includeMuted ?? false, untilTime);
        var descending = !string.Equals(order, "asc", StringComparison.OrdinalIgnoreCase);
        return TypedResults.Ok(await queries.FailingAsync(filter, sortBy, descending, offset ?? 0, limit ?? 50, cancellationToken));
    }

    /// <summary>
    /// Instance keys contain slashes, so routes take the rest of the path: "{key}/{resource}". Gives the key when the
    /// path ends with the resource, else the problem naming the expected shape.
    /// </summary>
    private static bool TryKey(string path, string resource, out string key, out ProblemHttpResult? problem)
    {
        var suffix = "/" + resource;
        var matches = path.EndsWith(suffix, StringComparison.Ordinal);
        key = matches ? Uri.UnescapeDataString(path[..^suffix.Length]) : "";
        problem = matches ? null : Problems.NotFound($"Use /api/v1/instances/{{key}}/{resource}.");
        return matches;
    }

    private static async Task<Results<Ok<InstanceAcknowledgement>, ProblemHttpResult>> AcknowledgeAsync(
        string path, AcknowledgementRequest? body, InstanceAcknowledgements acknowledgements, HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryKey(path, "acknowledgement", out var key, out var problem)) return problem!;
        if (body?.Status is not (InstanceAcknowledgement.Acknowledged or InstanceAcknowledgement.Muted))
            return Problems.BadRequest("'status' must be 'acknowledged' or 'muted'.", field: "status", title: "Bad acknowledgement");
        try
        {
            return TypedResults.Ok(await acknowledgements.SetAsync(key, body.Status, body.Note, ActorOf(http), cancellationToken,
                body.ExpiresAt, body.UntilRecovered ?? false));
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message, field: "expiresAt", title: "Bad acknowledgement");
        }
        catch (KeyNotFoundException e)
        {
            return Problems.NotFound(e.Message);
        }
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ClearAcknowledgementAsync(
        string path, InstanceAcknowledgements acknowledgements, HttpContext http, CancellationToken cancellationToken)
    {
        if (!TryKey(path, "acknowledgement", out var key, out var problem)) return problem!;
        await acknowledgements.ClearAsync(key, ActorOf(http), cancellationToken);
        return TypedResults.NoContent();
    }

    private static Actor ActorOf(HttpContext http) => Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString());

    private static async Task<Results<Ok<InstanceTimeline>, ProblemHttpResult>> TimelineAsync(
        string path, InstanceQueries instances, RecordQueries records, RunbookProgress runbookProgress, int? limit,
        CancellationToken cancellationToken)
    {
        if (!TryKey(path, "timeline", out var key, out var problem)) return problem!;
        var state = await instances.FindAsync(key, cancellationToken);
        if (state is null) return Problems.NotFound($"No instance '{key}'.");
        return TypedResults.Ok(new InstanceTimeline(state, await records.TimelineAsync(key, limit ?? 500, cancellationToken),
            await runbookProgress.ForInstanceAsync(key, cancellationToken)));
    }
}

/// <summary>A mute ends at <see cref="ExpiresAt"/>, or when the instance recovers, or after one hour.</summary>
public sealed record AcknowledgementRequest(string? Status, string? Note, DateTimeOffset? ExpiresAt = null, bool? UntilRecovered = null);

/// <summary>An instance, its records newest first, and the runbook steps ticked or unticked while working its failures.</summary>
public sealed record InstanceTimeline(InstanceState Instance, IReadOnlyList<RecordDto> Records, IReadOnlyList<RunbookStepMark> RunbookSteps);
