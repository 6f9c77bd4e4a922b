using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Collectors;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Features.Collectors;

/// <summary>Collectors:&lt;name&gt; runs a collector inside the console, through the same queue and HTTP API as a remote one.</summary>
public sealed class ConfiguredCollectorsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-configured", Guid.NewGuid().ToString("n"));
    private readonly string _socket = Path.Combine(Path.GetTempPath(), $"occ-{Guid.NewGuid():n}"[..16] + ".sock");

    [Fact]
    public async Task A_collector_in_configuration_feeds_its_own_console()
    {
        var events = File.ReadLines(Path.Combine(Repository.Root, "tests", "corpus", "docker", "oom-then-die-137-api151.jsonl")).Where(l => l.Length > 0).ToList();
        await using var engine = await ReplayServer.StartAsync(app =>
        {
            app.MapGet("/events", (HttpContext context) => ReplayServer.StreamLinesAsync(context, events, holdOpen: true));
            app.MapGet("/containers/{id}/json", () => Results.NotFound());
        }, kestrel => kestrel.ListenUnixSocket(_socket));

        using var console = new KestrelConsole(new Dictionary<string, string?>
        {
            ["Collectors:edge-docker:Source"] = "docker",
            ["Collectors:edge-docker:Docker"] = $"unix://{_socket}",
            ["Collectors:edge-docker:Host"] = "edge-3",
            ["Collectors:edge-docker:Buffer"] = _directory,
        });
        var contacts = console.Services.GetRequiredService<CollectorContacts>();
        for (var i = 0; i < 200 && contacts.Summaries().SingleOrDefault(c => c.Name == "edge-docker")?.Items != 2; i++) await Task.Delay(50);

        var known = contacts.Summaries().Single(c => c.Name == "edge-docker");
        Assert.Equal(("docker", 2L), (known.Source, known.Items));
        using var http = console.CreateNetworkClient();
        var records = (await (await http.GetAsync("/api/v1/records?source=docker")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["docker/edge-3/shop-inventory-1", "docker/edge-3/shop-inventory-1"], records.Select(r => r.GetProperty("instance").GetString()));
    }

    public void Dispose()
    {
        File.Delete(_socket);
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
