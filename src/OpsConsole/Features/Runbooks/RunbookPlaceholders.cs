using System.Globalization;
using System.Text.Json;
using OpsConsole.Features.Records;

namespace OpsConsole.Features.Runbooks;

/// <summary>
/// The values a runbook's <c>{{name}}</c> placeholders take for one record, read from its instance key
/// (see README, "What a record keeps"), its fields and, where the key does not carry it, the original item.
/// </summary>
public static class RunbookPlaceholders
{
    /// <summary>Every placeholder the shipped runbooks use, with what fills it.</summary>
    public static IReadOnlyDictionary<string, string> Known { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["instance"] = "the instance as the console names it",
        ["instanceKey"] = "the console's instance key",
        ["recordId"] = "the record's id",
        ["since"] = "ten minutes before the record, for journalctl --since (UTC)",
        ["exitCode"] = "the exit code",
        ["node"] = "the node, host or replica the record names",
        ["requestId"] = "the request id (Nova req-…)",
        ["unitId"] = "Aos unit (system) id",
        ["itemId"] = "Aos service or layer id",
        ["subjectId"] = "Aos subject id",
        ["instanceIndex"] = "Aos instance index",
        ["cluster"] = "Kubernetes cluster (?cluster= at ingestion)",
        ["namespace"] = "Kubernetes namespace",
        ["pod"] = "Kubernetes pod",
        ["container"] = "container name",
        ["app"] = "Container App name",
        ["revision"] = "Container App revision",
        ["replica"] = "Container App replica",
        ["resourceGroup"] = "Azure resource group",
        ["host"] = "Docker host or Nova compute host",
        ["image"] = "container image",
        ["cloud"] = "OpenStack cloud (?cloud= at ingestion)",
        ["serverId"] = "Nova server (instance) UUID",
        ["region"] = "MAAS region (?region= at ingestion)",
        ["systemId"] = "MAAS machine system_id",
        ["hostname"] = "MAAS machine hostname",
    };

    public static IReadOnlyDictionary<string, string> For(EventRecord record)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["instance"] = record.InstanceName,
            ["instanceKey"] = record.InstanceKey,
            ["recordId"] = record.Id.ToString(CultureInfo.InvariantCulture),
            ["since"] = record.OccurredAt.UtcDateTime.AddMinutes(-10).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        };
        Set(values, "exitCode", record.ExitCode?.ToString(CultureInfo.InvariantCulture));
        Set(values, "node", record.Location);
        Set(values, "requestId", record.RequestId);

        var key = record.InstanceKey.Split('/');
        using var raw = TryParse(record.RawJson);
        var item = raw?.RootElement;
        switch (key[0])
        {
            case "aos" when key.Length >= 2:
                Set(values, "unitId", key[1]);
                if (key.Length == 5)
                {
                    Set(values, "itemId", key[2]);
                    Set(values, "subjectId", key[3]);
                    Set(values, "instanceIndex", key[4]);
                }
                break;
            case "k8s" when key.Length >= 3:
                Set(values, "cluster", key[1]);
                if (key[2] == "node")
                {
                    Set(values, "node", key.ElementAtOrDefault(3));
                    break;
                }
                Set(values, "namespace", key[2]);
                // Event keys for other objects look like k8s/{cluster}/{ns}/{kind}/{name}; only pods name a pod.
                if (key.Length == 4 || (key.Length == 5 && !IsObjectKind(key[3])))
                {
                    Set(values, "pod", key[3]);
                    Set(values, "container", key.ElementAtOrDefault(4));
                }
                break;
            case "aca" when key.Length >= 3:
                Set(values, "app", key[1]);
                Set(values, "revision", key[2]);
                Set(values, "replica", record.Location);
                Set(values, "container", Text(item, "ContainerName_s") ?? Text(item, "ContainerName"));
                Set(values, "resourceGroup", ResourceGroup(Text(item, "_ResourceId") ?? Text(item, "ResourceId")));
                break;
            case "docker" when key.Length >= 3:
                Set(values, "host", key[1]);
                Set(values, "container", key[^1]);
                Set(values, "image", item is { } docker && docker.TryGetProperty("Actor", out var actor) && actor.ValueKind == JsonValueKind.Object
                    && actor.TryGetProperty("Attributes", out var attributes) ? Text(attributes, "image") : Text(item, "from"));
                break;
            case "nova" when key.Length >= 3:
                Set(values, "cloud", key[1]);
                Set(values, "serverId", key[2]);
                Set(values, "host", record.Location);
                break;
            case "maas" when key.Length >= 3:
                Set(values, "region", key[1]);
                Set(values, "systemId", key[2]);
                Set(values, "hostname", record.Location);
                break;
            default:
                // The simple shapes: the item names its parts itself.
                Set(values, "cluster", Text(item, "cluster"));
                Set(values, "namespace", Text(item, "namespace"));
                Set(values, "pod", Text(item, "instance"));
                Set(values, "container", Text(item, "container"));
                Set(values, "image", Text(item, "image"));
                if (record.Kind == "vm") Set(values, "serverId", Text(item, "instance"));
                Set(values, "host", record.Location);
                break;
        }
        return values;
    }

    private static bool IsObjectKind(string segment) => segment is "deployment" or "replicaset" or "statefulset" or "daemonset" or "job"
        or "cronjob" or "service" or "persistentvolumeclaim" or "horizontalpodautoscaler" or "ingress" or "endpoints";

    private static void Set(Dictionary<string, string> values, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) values[name] = value;
    }

    private static JsonDocument? TryParse(string json)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;

    private static string? ResourceGroup(string? resourceId)
    {
        if (resourceId is null) return null;
        var parts = resourceId.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var index = Array.FindIndex(parts, p => p.Equals("resourceGroups", StringComparison.OrdinalIgnoreCase));
        return index >= 0 && index + 1 < parts.Length ? parts[index + 1] : null;
    }
}
