using System.Net;
using System.Text;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.E2E;

/// <summary>Another site's page on 127.0.0.1 (its own port, so its own origin) that embeds a panel.</summary>
public sealed class HostPage : IDisposable
{
    private readonly HttpListener _listener = new();

    private HostPage(string html)
    {
        var port = ConsoleProcess.FreePort();
        Url = $"http://127.0.0.1:{port}/";
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _ = ServeAsync(Encoding.UTF8.GetBytes(html));
    }

    public string Url { get; }

    public static HostPage Serve(string html) => new(html);

    private async Task ServeAsync(byte[] body)
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.OutputStream.WriteAsync(body);
            context.Response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}
