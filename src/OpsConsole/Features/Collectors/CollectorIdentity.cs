using System.Reflection;

namespace OpsConsole.Features.Collectors;

/// <summary>
/// Who sent a batch: every request a collector makes carries these headers, so the console can list its
/// collectors (name, source, version, host) with their backlog without any registration step.
/// </summary>
public sealed record CollectorIdentity(string Name, string Source, string Version, string Host)
{
    public const string NameHeader = "X-Collector-Name";
    public const string SourceHeader = "X-Collector-Source";
    public const string VersionHeader = "X-Collector-Version";
    public const string HostHeader = "X-Collector-Host";
    public const string BacklogHeader = "X-Collector-Backlog";

    /// <summary>The version of this binary, the same for the console and the collectors it runs as.</summary>
    public static string CurrentVersion { get; } =
        typeof(CollectorIdentity).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(CollectorIdentity).Assembly.GetName().Version?.ToString() ?? "0";

    public static CollectorIdentity For(string source, string? name) =>
        new(string.IsNullOrWhiteSpace(name) ? $"{source}@{Environment.MachineName}" : name, source, CurrentVersion, Environment.MachineName);

    public void AddTo(HttpRequestMessage request, long backlog)
    {
        request.Headers.Add(NameHeader, Name);
        request.Headers.Add(SourceHeader, Source);
        request.Headers.Add(VersionHeader, Version);
        request.Headers.Add(HostHeader, Host);
        request.Headers.Add(BacklogHeader, backlog.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}
