namespace OpsConsole.Features.Instances;

/// <summary>Where an instance's page lives; keys contain slashes, so each segment is escaped on its own.</summary>
public static class InstanceLinks
{
    public static string Page(string instanceKey) => "/instances/" + PathOf(instanceKey);

    /// <summary>The key as URL path segments (its own slashes kept), for routes that end in a key.</summary>
    public static string PathOf(string instanceKey) => string.Join('/', instanceKey.Split('/').Select(Uri.EscapeDataString));

    public static string Runbook(string category, long recordId) => $"/runbooks/{Uri.EscapeDataString(category)}?record={recordId}";
}
