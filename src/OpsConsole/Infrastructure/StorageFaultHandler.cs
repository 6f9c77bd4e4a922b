using Microsoft.AspNetCore.Diagnostics;
using OpsConsole.Data;

namespace OpsConsole.Infrastructure;

/// <summary>
/// A write the storage refused (disk full, file read-only, I/O error) answers 503 with Retry-After and a
/// problem, and marks the store failing for /readyz: the sender should retry later, and nothing was half-written
/// (each request commits in one transaction).
/// </summary>
internal sealed class StorageFaultHandler(StorageHealth storage, IProblemDetailsService problems, ILogger<StorageFaultHandler> logger) : IExceptionHandler
{
    private static readonly int RetryAfterSeconds = (int)StorageHealth.HoldAfterFailure.TotalSeconds;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (StorageHealth.StorageFault(exception) is not { } fault) return false;
        storage.ReportFailure(fault);
        logger.LogError("{Method} {Path}: the database refused the write: {Problem}", context.Request.Method, context.Request.Path, fault.Message);
        if (context.Response.HasStarted) return true;
        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status503ServiceUnavailable,
                Title = "The console cannot store data right now",
                Detail = $"The database refused the write ({fault.Message}); nothing of this request was stored. Retry later.",
            },
        });
        return true;
    }
}
