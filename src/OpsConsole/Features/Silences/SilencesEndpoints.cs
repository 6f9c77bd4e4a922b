using Microsoft.AspNetCore.Http.HttpResults;
using OpsConsole.Features.Auth;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Silences;

public static class SilencesEndpoints
{
    public static RouteGroupBuilder MapSilences(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/v1/silences").WithTags("Silences");
        group.MapGet("/", (SilenceStore silences, CancellationToken ct) => silences.ListAsync(ct))
            .WithName("ListSilences").RequireAuthorization(ApiPolicies.Read)
            .WithSummary("Active silences, then the most recently ended, with who made them and why.");
        group.MapPost("/", CreateAsync).WithName("CreateSilence").RequireAuthorization(ApiPolicies.Operate)
            .WithSummary("Mutes every failing instance matching {category, family, source, location, instancePattern} until endsAt or untilRecovered; needs a reason.");
        group.MapDelete("/{id:int}", async Task<Results<NoContent, ProblemHttpResult>> (int id, SilenceStore silences, HttpContext http, CancellationToken ct) =>
                await silences.EndAsync(id, Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString()), ct)
                    ? TypedResults.NoContent() : Problems.NotFound($"No active silence {id}."))
            .WithName("EndSilence").RequireAuthorization(ApiPolicies.Operate);
        return group;
    }

    private static async Task<Results<Created<Silence>, ProblemHttpResult>> CreateAsync(SilenceRequest? body, SilenceStore silences,
        HttpContext http, CancellationToken cancellationToken)
    {
        if (body is null) return Problems.BadRequest("Send {category?, family?, source?, location?, instancePattern?, reason, endsAt | untilRecovered}.", title: "Bad silence");
        try
        {
            var silence = await silences.CreateAsync(body, Actor.Of(http.User, http.Connection.RemoteIpAddress?.ToString()), cancellationToken);
            return TypedResults.Created($"/api/v1/silences/{silence.Id}", silence);
        }
        catch (ArgumentException e)
        {
            return Problems.BadRequest(e.Message, title: "Bad silence");
        }
    }
}
