using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>The root wwwroot and appsettings.json are what the app really serves and loads.</summary>
public sealed class LayoutTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public LayoutTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task The_root_web_root_is_served()
    {
        var css = await _factory.CreateClient().GetAsync("/app.css");
        Assert.Equal(HttpStatusCode.OK, css.StatusCode);
        Assert.Equal(await File.ReadAllTextAsync(Path.Combine(Repository.Root, "wwwroot", "app.css")), await css.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_home_page_renders()
    {
        var html = await (await _factory.SignedInClientAsync("Viewer")).GetStringAsync("/");
        Assert.Contains("<title>Failing · OpsConsole</title>", html);
        Assert.Contains("href=\"/runbooks\"", html);
        Assert.Contains("href=\"/sources\"", html);
        Assert.Contains("_content/MudBlazor/MudBlazor.min.", html);
    }

    [Fact]
    public async Task Package_assets_are_served_with_content()
    {
        var css = await _factory.CreateClient().GetStringAsync("/_content/MudBlazor/MudBlazor.min.css");
        Assert.True(css.Length > 10_000, $"MudBlazor.min.css was {css.Length} characters");
    }

    [Fact]
    public void The_root_appsettings_is_the_configuration_loaded()
    {
        var root = new ConfigurationBuilder().AddJsonFile(Path.Combine(Repository.Root, "appsettings.json")).Build();
        var loaded = _factory.Services.GetRequiredService<IConfiguration>();
        Assert.Equal(root["Ingestion:MaxBodyBytes"], loaded["Ingestion:MaxBodyBytes"]);
        Assert.Equal(root["Classification:StalledAfter"], loaded["Classification:StalledAfter"]);
        Assert.Equal(File.ReadAllText(Path.Combine(Repository.Root, "appsettings.json")),
            File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "appsettings.json")));
    }

    [Fact]
    public async Task The_openapi_document_lists_the_ingestion_endpoints()
    {
        var json = await _factory.CreateClient().GetStringAsync("/openapi/v1.json");
        Assert.Contains("/api/v1/container-exits", json);
        Assert.Contains("/api/v1/instances/failing", json);

        using var document = System.Text.Json.JsonDocument.Parse(json);
        var examples = document.RootElement.GetProperty("paths").GetProperty("/api/v1/container-exits").GetProperty("post")
            .GetProperty("requestBody").GetProperty("content").GetProperty("application/json").GetProperty("examples");
        Assert.Equal("CrashLoopBackOff", examples.GetProperty("kubernetes-pod-crashloop").GetProperty("value")
            .GetProperty("status").GetProperty("containerStatuses")[0].GetProperty("state").GetProperty("waiting").GetProperty("reason").GetString());
        Assert.Contains("docker-die", examples.EnumerateObject().Select(e => e.Name));
    }
}

public static class Repository
{
    public static string Root { get; } = Locate();

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OpsConsole.sln"))) return dir.FullName;
        throw new InvalidOperationException("The repository root (OpsConsole.sln) was not found above the test output.");
    }
}
