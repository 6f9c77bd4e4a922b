using Microsoft.AspNetCore.Diagnostics;

namespace OpsConsole.Infrastructure;

/// <summary>
/// Faults the client caused — a body that arrives too slowly or is malformed at the HTTP level, a request the
/// client abandoned — answer with their status and log one line, not a stack trace per request: a burst of
/// slow senders must not flood the log.
/// </summary>
internal sealed class ClientFaultHandler(IProblemDetailsService problems, ILogger<ClientFaultHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.RequestAborted.IsCancellationRequested && exception is OperationCanceledException or IOException)
        {
            logger.LogInformation("{Method} {Path}: the client went away ({Fault})", context.Request.Method, context.Request.Path, exception.GetType().Name);
            context.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            return true;
        }
        if (exception is not BadHttpRequestException bad) return false;

        logger.LogWarning("{Method} {Path}: {Status} {Problem}", context.Request.Method, context.Request.Path, bad.StatusCode, bad.Message);
        if (context.Response.HasStarted) return true;
        context.Response.StatusCode = bad.StatusCode;
        await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = bad.StatusCode, Title = "The request was not accepted", Detail = bad.Message },
        });
        return true;
    }
}
