using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>
/// A stand-in for a source system's API on loopback (or a Unix socket): it answers with recorded upstream
/// payloads in the real protocol, and keeps every request it got so a test can check what the collector asked.
/// </summary>
public sealed class ReplayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ReplayServer(WebApplication app) => _app = app;

    public ConcurrentQueue<HttpRequestRecord> Requests { get; } = new();
    public Uri Address => new(_app.Urls.First());

    public sealed record HttpRequestRecord(string Method, string Path, IQueryCollection Query, IHeaderDictionary Headers);

    public static async Task<ReplayServer> StartAsync(Action<WebApplication> map, Action<KestrelServerOptions>? listen = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        if (listen is null) builder.WebHost.UseUrls("http://127.0.0.1:0");
        else builder.WebHost.ConfigureKestrel(listen);
        var app = builder.Build();
        var server = new ReplayServer(app);
        app.Use(async (context, next) =>
        {
            // Kestrel reuses a request's collections once it is done: keep copies.
            var query = new QueryCollection(context.Request.Query.ToDictionary(q => q.Key, q => q.Value));
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            server.Requests.Enqueue(new HttpRequestRecord(context.Request.Method, context.Request.Path, query, headers));
            await next(context);
        });
        map(app);
        await app.StartAsync();
        return server;
    }

    /// <summary>Writes JSON values one per line, flushing each, as a watch or event stream does (chunked).</summary>
    public static async Task StreamLinesAsync(HttpContext context, IEnumerable<string> lines, bool holdOpen)
    {
        context.Response.ContentType = "application/json";
        foreach (var line in lines)
        {
            await context.Response.WriteAsync(line + "\n", context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }
        if (holdOpen)
        {
            try { await Task.Delay(Timeout.Infinite, context.RequestAborted); }
            catch (OperationCanceledException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
