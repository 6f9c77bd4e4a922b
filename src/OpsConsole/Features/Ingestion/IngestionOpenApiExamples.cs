using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OpsConsole.Features.Ingestion;

/// <summary>
/// The ingestion endpoints read their body themselves (to recognise the shape), so the OpenAPI document
/// would show no request body: this declares it, with real payloads of each accepted shape as examples.
/// </summary>
public sealed class IngestionOpenApiExamples : IOpenApiOperationTransformer
{
    private const string Prefix = "OpsConsole.Features.Ingestion.Examples.";

    private static readonly Dictionary<string, string> EndpointFiles = new()
    {
        ["IngestUnitStatus"] = "unit-status",
        ["IngestContainerExits"] = "container-exits",
        ["IngestVmEvents"] = "vm-events",
    };

    private static readonly ILookup<string, (string Name, string Json)> Examples = LoadExamples();

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var endpointName = context.Description.ActionDescriptor.EndpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName;
        if (endpointName is null || !EndpointFiles.TryGetValue(endpointName, out var prefix)) return Task.CompletedTask;

        var media = new OpenApiMediaType { Examples = new Dictionary<string, IOpenApiExample>() };
        foreach (var (name, json) in Examples[prefix])
            media.Examples[name] = new OpenApiExample { Summary = name, Value = JsonNode.Parse(json) };
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = true,
            Description = "A payload as the source system emits it; the shape is recognised (or named with ?format=).",
            Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = media },
        };
        return Task.CompletedTask;
    }

    private static ILookup<string, (string, string)> LoadExamples()
    {
        var assembly = typeof(IngestionOpenApiExamples).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal))
            .Select(n =>
            {
                using var reader = new StreamReader(assembly.GetManifestResourceStream(n)!);
                var parts = n[Prefix.Length..].Split('.');
                return (Endpoint: parts[0], Name: parts[1], Json: reader.ReadToEnd());
            })
            .ToLookup(e => e.Endpoint, e => (e.Name, e.Json));
    }
}
