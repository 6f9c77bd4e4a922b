using Microsoft.AspNetCore.Http.HttpResults;

namespace OpsConsole.Infrastructure;

/// <summary>RFC 7807 answers that name the offending item and field.</summary>
public static class Problems
{
    public static ProblemHttpResult BadRequest(string detail, int? item = null, string? field = null, string title = "The payload was not accepted") =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: title,
            extensions: new Dictionary<string, object?> { ["item"] = item, ["field"] = field });

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status413PayloadTooLarge, title: "The payload is too large");

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");
}
