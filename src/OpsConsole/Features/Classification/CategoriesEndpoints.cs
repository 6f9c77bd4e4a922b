using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Classification.Vocabulary;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Runbooks;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Classification;

/// <summary>
/// A taxonomy category; <see cref="RunbookUrl"/> is absolute, for Alertmanager <c>runbook_url</c> annotations and chat
/// links; <see cref="Upstream"/> lists the upstream identifiers (exception classes, reasons, codes) that lead there.
/// </summary>
public sealed record CategoryDto(string Id, string Family, string Title, int FailingInstances, int Records, string? RunbookUrl,
    IReadOnlyList<UpstreamIdentifiers> Upstream);

public static class CategoriesEndpoints
{
    public static RouteGroupBuilder MapCategories(this IEndpointRouteBuilder routes)
    {
        // Each endpoint names its own policy: starting a reclassification needs operate, reading needs read.
        var group = routes.MapGroup("/api/v1").WithTags("Classification");
        group.MapGet("/categories", ListAsync).WithName("ListCategories").RequireAuthorization(ApiPolicies.Read)
            .WithSummary("The failure taxonomy with the number of failing instances and stored records in each category.");
        group.MapPost("/reclassify", async (Reclassifier reclassifier, AuditLog audit, HttpContext http) =>
            {
                var progress = reclassifier.Start();
                await audit.WriteAsync(Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString()), AuditActions.Reclassify, null,
                    $"rule set {progress.RulesetVersion}", http.RequestAborted);
                return TypedResults.Accepted("/api/v1/reclassify", progress);
            })
            .WithName("StartReclassification").RequireAuthorization(ApiPolicies.Operate)
            .WithSummary("Re-reads the rule files and reclassifies stored records whose rule-set version differs; answers with progress.");
        group.MapGet("/reclassify", (Reclassifier reclassifier) => TypedResults.Ok(reclassifier.Progress))
            .WithName("GetReclassificationProgress").RequireAuthorization(ApiPolicies.Read);
        return group;
    }

    private static async Task<IResult> ListAsync(InstanceQueries instances, IDbContextFactory<OpsDbContext> databases,
        RunbookLibrary runbooks, IncidentClassifier classifier, ConsoleOrigins origins, HttpRequest request, CancellationToken cancellationToken)
    {
        // Links must work from outside (Alertmanager, chat) and must not echo an unchecked Host header.
        var baseUrl = origins.BaseUrl(request);
        var failing = await instances.FailingByCategoryAsync(cancellationToken);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        // Kept by every write, reclassification included: one row per category, whatever the history.
        var records = await db.CategoryCounts.AsNoTracking().ToDictionaryAsync(c => c.Category, c => (int)Math.Min(c.Records, int.MaxValue), cancellationToken);
        var sections = runbooks.Sections; // one read: each checks the local runbook folder
        var upstream = classifier.Rules.Upstream;
        return TypedResults.Ok(Taxonomy.All.Select(c => new CategoryDto(c.Id, c.Family, c.Title,
            failing.GetValueOrDefault(c.Id), records.GetValueOrDefault(c.Id),
            !sections.ContainsKey(c.Id) ? null : $"{baseUrl}/runbooks/{Uri.EscapeDataString(c.Id)}",
            upstream.GetValueOrDefault(c.Id) ?? [])));
    }
}
