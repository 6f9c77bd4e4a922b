using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Records;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Audit;

public sealed record AuditEntries(IReadOnlyList<AuditEntry> Items, string? NextCursor);

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/audit").WithTags("Audit").RequireAuthorization(ApiPolicies.Audit);
        group.MapGet("/", ListAsync).WithName("ListAuditEntries")
            .WithSummary("The audit trail, newest first: filters actor (contains), action, target (contains), since, until; keyset-paged by cursor.");
        return group;
    }

    private static async Task<Results<Ok<AuditEntries>, ProblemHttpResult>> ListAsync(AuditLog audit, string? actor, string? action,
        string? target, string? since, string? until, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        if (!RecordsEndpoints.TryTime(since, out var sinceTime)) return Problems.BadRequest("'since' must be an ISO 8601 timestamp.", field: "since", title: "Bad query");
        if (!RecordsEndpoints.TryTime(until, out var untilTime)) return Problems.BadRequest("'until' must be an ISO 8601 timestamp.", field: "until", title: "Bad query");
        if (action is { Length: > 0 } && !AuditActions.All.Contains(action))
            return Problems.BadRequest($"'action' must be one of {string.Join(", ", AuditActions.All)}.", field: "action", title: "Bad query");
        long? before = null;
        if (cursor is { Length: > 0 })
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Problems.BadRequest("'cursor' must be the nextCursor of a previous page.", field: "cursor", title: "Bad query");
            before = parsed;
        }
        var size = Math.Clamp(limit ?? 200, 1, 1000);
        var items = await audit.ListAsync(new AuditFilter(actor, action, target, sinceTime, untilTime), before, size, cancellationToken);
        return TypedResults.Ok(new AuditEntries(items, items.Count == size ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null));
    }
}
