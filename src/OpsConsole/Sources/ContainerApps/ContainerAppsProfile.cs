using System.Text.Json;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;
using OpsConsole.Sources.Containers;

namespace OpsConsole.Sources.ContainerApps;

/// <summary>Azure Container Apps system logs, one instance per app revision (<c>aca/{app}/{revision}</c>).</summary>
public sealed class ContainerAppsProfile : ISourceProfile
{
    public const string SourceName = "container-apps";
    public const string KeyPrefix = "aca";
    public const string App = "app";
    public const string Revision = "revision";

    public string Source => SourceName;
    public string Kind => PayloadFormats.Container;
    string ISourceProfile.KeyPrefix => KeyPrefix;
    public IReadOnlyList<IPayloadFormat> Formats { get; } = [new ContainerAppsSystemLogFormat()];
    public string RulesFile => "Sources/ContainerApps/rules.yaml";
    public string VocabularyFile => "Sources/ContainerApps/vocabulary.yaml";
    public string FallbackRulesFile => "Sources/ContainerApps/fallback.rules.yaml";

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey) => SourceProfiles.NameSegments(instanceKey, 1, App, Revision);

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["app"] = "Container App name",
        ["revision"] = "Container App revision",
        ["replica"] = "Container App replica",
        ["resourceGroup"] = "Azure resource group",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item)
    {
        if (parts.Count < 2) return;
        values.Set(App, parts[0].Value);
        values.Set(Revision, parts[1].Value);
        values.Set("replica", record.Location);
        values.Set("container", PlaceholderValues.Text(item, "ContainerName_s") ?? PlaceholderValues.Text(item, "ContainerName"));
        values.Set("resourceGroup", ResourceGroup(PlaceholderValues.Text(item, "_ResourceId") ?? PlaceholderValues.Text(item, "ResourceId")));
    }

    public Type InstanceView(IReadOnlyList<IdentityPart> parts) => typeof(ExitHistoryView);

    /// <summary>
    /// The app's resource in the Azure portal. Log rows carry a resource id (the app's, or its environment's, which
    /// gives the subscription and group); without one, the portal's list of Container Apps is the best there is.
    /// </summary>
    public IReadOnlyList<SourceLink> LinksTo(IReadOnlyList<IdentityPart> parts, SourceLinkOptions options, JsonElement? item)
    {
        if (parts is not [{ Label: App } app, ..] || !SourceLinkOptions.Usable(options.AzurePortal)) return [];
        var portal = options.AzurePortal!.TrimEnd('/');
        var resourceId = PlaceholderValues.Text(item, "_ResourceId") ?? PlaceholderValues.Text(item, "ResourceId");
        var segments = resourceId?.Split('/', StringSplitOptions.RemoveEmptyEntries) ?? [];
        if (segments.Length >= 4 && segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            && segments[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
        {
            var path = SourceLink.Under("", "subscriptions", segments[1], "resourceGroups", segments[3], "providers", "Microsoft.App", "containerApps", app.Value);
            return [SourceLink.Page("Azure portal", $"{portal}/#@/resource{path}/overview")];
        }
        return [SourceLink.Page("Azure portal (Container Apps list)", $"{portal}/#browse/Microsoft.App%2FcontainerApps")];
    }

    private static string? ResourceGroup(string? resourceId)
    {
        if (resourceId is null) return null;
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.FindIndex(parts, p => p.Equals("resourceGroups", StringComparison.OrdinalIgnoreCase));
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : null;
    }
}
