using Microsoft.AspNetCore.Http.HttpResults;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Embed;

/// <summary>A token for a wall screen, made by an admin: the one time its secret is shown.</summary>
public sealed record EmbedTokenCreated(int Id, string Label, string? Scope, string Hint, string Secret);

public sealed record EmbedTokenRequest(string? Label, string? Panel);

/// <summary>Embed tokens as an API for admins (the Panels page does the same by hand): scripts that set up wall screens.</summary>
public static class EmbedTokensEndpoints
{
    /// <summary>The stored columns' sizes: longer values are refused rather than cut.</summary>
    private const int MaxLabelLength = 200, MaxPanelLength = 900;

    public static RouteGroupBuilder MapEmbedTokens(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/embed-tokens").WithTags("Embed").RequireAuthorization(ConsolePolicies.Admin);
        group.MapPost("/", CreateAsync).WithName("CreateEmbedToken")
            .WithSummary("Makes a read-only token for /embed panels, {label, panel?} (a panel URL path and query, to open only it); the secret is in this answer only.");
        group.MapDelete("/{id:int}", RevokeAsync).WithName("RevokeEmbedToken")
            .WithSummary("Revokes an embed token; every node refuses it within moments.");
        return group;
    }

    private static async Task<Results<Created<EmbedTokenCreated>, ProblemHttpResult>> CreateAsync(EmbedTokenRequest? body, EmbedTokenStore tokens,
        AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        if (body?.Label is { Length: > MaxLabelLength })
            return Problems.BadRequest($"'label' is longer than {MaxLabelLength} characters.", field: "label", title: "Bad embed token");
        string? scope = null;
        if (body?.Panel is { Length: > 0 } panel)
        {
            // A path on this console only, before and after resolving (no other host, no "/embed/../admin").
            if (panel.Length > MaxPanelLength || !panel.StartsWith("/embed/", StringComparison.Ordinal)
                || !Uri.TryCreate(new Uri("http://console/"), panel, out var url) || url.Host != "console" || !url.AbsolutePath.StartsWith("/embed/", StringComparison.Ordinal))
                return Problems.BadRequest($"'panel' must be an /embed/… path with its query, at most {MaxPanelLength} characters.", field: "panel", title: "Bad embed token");
            scope = EmbedScope.Of(url);
        }
        var (token, secret) = await tokens.CreateAsync(body?.Label ?? "", scope, cancellationToken);
        await audit.WriteAsync(Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString()), AuditActions.TokenCreate, token.Label,
            $"ends with {token.Hint}", cancellationToken);
        return TypedResults.Created($"/api/v1/embed-tokens/{token.Id}", new EmbedTokenCreated(token.Id, token.Label, token.Scope, token.Hint, secret));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(int id, EmbedTokenStore tokens, AuditLog audit, HttpContext http,
        CancellationToken cancellationToken)
    {
        if ((await tokens.ListAsync(cancellationToken)).FirstOrDefault(t => t.Id == id && t.RevokedAt is null) is not { } token)
            return Problems.NotFound($"No active embed token {id}.");
        await tokens.RevokeAsync(id, cancellationToken);
        await audit.WriteAsync(Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString()), AuditActions.TokenRevoke, token.Label,
            $"token {id}", cancellationToken);
        return TypedResults.NoContent();
    }
}
