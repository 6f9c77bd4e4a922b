namespace OpsConsole.Features.Instances;

/// <summary>Where an instance's page lives; keys contain slashes, so each segment is escaped on its own.</summary>
public static class InstanceLinks
{
    public static string Page(string instanceKey) =>
        "/instances/" + string.Join('/', instanceKey.Split('/').Select(Uri.EscapeDataString));

    public static string Runbook(string category, long recordId) => $"/runbooks/{Uri.EscapeDataString(category)}?record={recordId}";
}
