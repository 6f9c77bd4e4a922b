using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;
using OpsConsole.Sources.Containers;

namespace OpsConsole.Sources.Docker;

/// <summary>Docker engine events (<c>docker events --format '{{json .}}'</c>) and container inspections (<c>docker inspect</c>); the host is named at ingestion.</summary>
public sealed class DockerProfile : ISourceProfile
{
    public const string SourceName = "docker";
    public const string KeyPrefix = "docker";
    public const string Host = "host";
    public const string Container = "container";
    /// <summary>Set on an inspected container whose State.Error holds the daemon's own start error.</summary>
    public const string StartErrorHint = "start-error";

    public string Source => SourceName;

    public OpsConsole.Features.Collectors.CollectorProfile Collector { get; } =
        new(SourceName, "container-exits", OpsConsole.Features.Ingestion.Parsing.PayloadFormats.Container, Host, DockerCollector.Create);
    public string Kind => PayloadFormats.Container;
    string ISourceProfile.KeyPrefix => KeyPrefix;
    public IReadOnlyList<IPayloadFormat> Formats { get; } = [new DockerEventFormat(), new DockerInspectFormat()];
    public string RulesFile => "Sources/Docker/rules.yaml";
    public string VocabularyFile => "Sources/Docker/vocabulary.yaml";
    public string FallbackRulesFile => "Sources/Docker/fallback.rules.yaml";

    /// <summary>
    /// The host a payload's records belong to (<c>?host=</c>, else "local") and a container's instance on it: events and
    /// inspections of one container must land on the same instance, so both formats take key, name and parts from here.
    /// </summary>
    internal static string HostOf(ParseContext context) => context.Query("host") ?? "local";

    internal static (string Key, string Name, IdentityPart[] Parts) ContainerInstance(string host, string name) =>
        ($"{KeyPrefix}/{host}/{name}", $"{host}/{name}", [new(Host, host), new(Container, name)]);

    /// <summary>A container's name, else the short form of its id (the first 12 hex digits, as the CLI shows it).</summary>
    internal static string NameOrShortId(string? name, string id) => name is { Length: > 0 } ? name : id.Length > 12 ? id[..12] : id;

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey) => SourceProfiles.NameSegments(instanceKey, 1, Host, Container);

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["host"] = "Docker host or Nova compute host",
        ["container"] = "container name",
        ["image"] = "container image",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item)
    {
        if (parts.Count < 2) return;
        values.Set(Host, parts[0].Value);
        values.Set(Container, parts[^1].Value);
        values.Set("image", ImageOf(item));
    }

    /// <summary>
    /// The image reference the container was created from: events name it in <c>Actor.Attributes.image</c> (before API
    /// 1.22 in <c>from</c>); an inspection in <c>Config.Image</c>, since its top-level <c>Image</c> is only the digest.
    /// </summary>
    private static string? ImageOf(JsonElement? item) =>
        Child(item, "Actor") is { } actor ? PlaceholderValues.Text(Child(actor, "Attributes"), "image")
        : Child(item, "Config") is { } config ? PlaceholderValues.Text(config, "Image")
        : PlaceholderValues.Text(item, "from");

    private static JsonElement? Child(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var child) && child.ValueKind == JsonValueKind.Object ? child : null;

    public Type InstanceView(IReadOnlyList<IdentityPart> parts) => typeof(ExitHistoryView);

    public IRecordCorrelation CreateCorrelation(IDbContextFactory<OpsDbContext> databases, TimeProvider clock) => new OomCorrelation(databases, clock);
}
