using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>The console in process but on a real loopback port, so a collector process can reach it over HTTP.</summary>
public sealed class KestrelConsole : OpsConsoleFactory
{
    public KestrelConsole() : this(new Dictionary<string, string?>()) { }

    public KestrelConsole(Dictionary<string, string?> settings) : base(settings)
    {
        UseKestrel(0);
        StartServer();
        var address = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        Address = new Uri(address.Replace("[::1]", "127.0.0.1").Replace("localhost", "127.0.0.1"));
    }

    public Uri Address { get; }

    /// <summary>A client on the real port with the test key.</summary>
    public HttpClient CreateNetworkClient()
    {
        var client = new HttpClient { BaseAddress = Address };
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }
}
