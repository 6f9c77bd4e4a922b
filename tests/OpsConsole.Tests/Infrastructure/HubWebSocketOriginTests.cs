using System.Net.WebSockets;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>
/// The Blazor hub's WebSocket upgrade on a real Kestrel: a page on another site cannot open a circuit even when it
/// skips negotiate and asks for the upgrade directly, while the console's own pages can.
/// </summary>
[Collection(ConsoleProcess.Collection)]
public sealed class HubWebSocketOriginTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-ws", Guid.NewGuid().ToString("n"));

    public HubWebSocketOriginTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task A_foreign_origin_gets_no_websocket_and_the_own_origin_does()
    {
        await using var console = ConsoleProcess.Start(Path.Combine(_directory, "ops.db"), "ws-test-key");
        await console.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        var hub = new Uri($"ws://127.0.0.1:{console.Port}/_blazor");

        using var foreign = new ClientWebSocket();
        foreign.Options.SetRequestHeader("Origin", "http://evil.example");
        foreign.Options.CollectHttpResponseDetails = true;
        await Assert.ThrowsAsync<WebSocketException>(() => foreign.ConnectAsync(hub, CancellationToken.None));
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, foreign.HttpStatusCode);

        // The same upgrade from the console's own origin is switched to a WebSocket (101).
        using var own = new ClientWebSocket();
        own.Options.SetRequestHeader("Origin", console.BaseAddress.GetLeftPart(UriPartial.Authority));
        own.Options.CollectHttpResponseDetails = true;
        await own.ConnectAsync(hub, CancellationToken.None);
        Assert.Equal(System.Net.HttpStatusCode.SwitchingProtocols, own.HttpStatusCode);
        Assert.Equal(WebSocketState.Open, own.State);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
