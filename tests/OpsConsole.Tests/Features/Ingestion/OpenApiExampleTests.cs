using OpsConsole.Features.Ingestion;

namespace OpsConsole.Tests.Features.Ingestion;

/// <summary>The request examples in the OpenAPI document are payloads the endpoints really accept.</summary>
public sealed class OpenApiExampleTests : IClassFixture<OpsConsoleFactory>
{
    private const string Prefix = "OpsConsole.Features.Ingestion.Examples.";
    private readonly OpsConsoleFactory _factory;

    public OpenApiExampleTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task Every_documented_example_is_accepted_by_its_endpoint()
    {
        var assembly = typeof(IngestionOpenApiExamples).Assembly;
        var names = assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)).ToList();
        Assert.True(names.Count >= 9);
        foreach (var name in names)
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            var endpoint = name[Prefix.Length..].Split('.')[0];
            var result = await _factory.CreateApiClient().PostOkAsync($"/api/v1/{endpoint}", await reader.ReadToEndAsync());
            Assert.True(result.GetProperty("records").GetArrayLength() > 0, name);
        }
    }
}
