using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpsConsole.Tests.Features.Collectors;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>
/// A channel's receiver on loopback (Kestrel, through <see cref="ReplayServer"/>): keeps every POST it gets (path,
/// headers, raw body) and answers each with the status <c>answer(n)</c> gives for the n-th request (200 by default).
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    private readonly Channel<Received> _received = Channel.CreateUnbounded<Received>();
    private ReplayServer _server = null!;
    private int _count;

    public sealed record Received(string Path, IHeaderDictionary Headers, string Body, int Status)
    {
        public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();
    }

    public string Url => _server.Address.ToString().TrimEnd('/');

    public static async Task<Receiver> StartAsync(Func<int, int>? answer = null)
    {
        var receiver = new Receiver();
        receiver._server = await ReplayServer.StartAsync(app => app.MapPost("/{**path}", async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = answer?.Invoke(Interlocked.Increment(ref receiver._count)) ?? 200;
            var headers = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
            receiver._received.Writer.TryWrite(new Received(context.Request.Path, headers, body, status));
            context.Response.StatusCode = status;
        }));
        return receiver;
    }

    /// <summary>The next request, or a failure when none comes within <paramref name="within"/>.</summary>
    public async Task<Received> NextAsync(TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            return await _received.Reader.ReadAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new Xunit.Sdk.XunitException($"no request reached the receiver within {within ?? TimeSpan.FromSeconds(10)}");
        }
    }

    /// <summary>Everything received so far and not yet taken.</summary>
    public List<Received> Drain()
    {
        var list = new List<Received>();
        while (_received.Reader.TryRead(out var item)) list.Add(item);
        return list;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
