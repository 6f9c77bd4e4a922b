using System.Collections.Frozen;
using OpsConsole.Features.Records;
using OpsConsole.Sources.Aos;
using OpsConsole.Sources.ContainerApps;
using OpsConsole.Sources.Docker;
using OpsConsole.Sources.Kubernetes;
using OpsConsole.Sources.Maas;
using OpsConsole.Sources.Nova;
using OpsConsole.Sources.Simple;

namespace OpsConsole.Sources;

/// <summary>
/// The registration list: every source system the console knows, one line each. Order matters twice: payload
/// shapes are tried per endpoint in this order, and the sources' rule files are loaded in it (see <see cref="RulesFiles"/>). The simple shapes come last: they take what no
/// native shape claims, and records from senders the console does not know.
/// </summary>
public static class SourceProfiles
{
    public static IReadOnlyList<ISourceProfile> All { get; } =
    [
        new AosProfile(),
        new KubernetesProfile(),
        new DockerProfile(),
        new ContainerAppsProfile(),
        new NovaProfile(),
        new MaasProfile(),
        new SimpleContainerProfile(),
        new SimpleVmProfile(),
    ];

    /// <summary>
    /// Every shipped rules file in the order rules are tried (Features/Classification/rules.md): each source's own
    /// file, the rules several sources share, the container sources' shared fallback, each source's fallback file, then the healthy states of any source.
    /// </summary>
    public static IReadOnlyList<string> RulesFiles { get; } =
    [
        .. All.Select(p => p.RulesFile).OfType<string>(),
        "Sources/Containers/rules.yaml",
        "Sources/VirtualMachines/rules.yaml",
        // Before the sources' own fallbacks: those end in catch-alls (a Docker event is context) that must not hide a failed pull.
        "Sources/Containers/fallback.rules.yaml",
        .. All.Select(p => p.FallbackRulesFile).OfType<string>(),
        Features.Classification.RuleSet.HealthyRulesFile,
    ];

    /// <summary>Every shipped vocabulary: each source's own, then the tables every container source shares.</summary>
    public static IReadOnlyList<string> VocabularyFiles { get; } =
    [
        .. All.Select(p => p.VocabularyFile).OfType<string>(),
        "Sources/Containers/exit-codes.vocabulary.yaml",
        "Sources/Containers/soci.vocabulary.yaml",
    ];

    /// <summary>Whether the record's own source marks it as an error (see <see cref="ISourceProfile.MarkedAsError"/>).</summary>
    public static bool MarkedAsError(EventRecord record) =>
        BySource.TryGetValue(record.Source, out var profile) && profile.MarkedAsError(record);

    /// <summary>Whether a record's <c>source</c> is one of the systems listed here (not a sender of a simple shape).</summary>
    public static bool IsKnownSource(string source) => BySource.ContainsKey(source);

    private static readonly FrozenDictionary<string, ISourceProfile> BySource =
        All.Where(p => p.Source.Length > 0).ToFrozenDictionary(p => p.Source, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, ISourceProfile> ByKeyPrefix =
        All.Where(p => p.KeyPrefix.Length > 0).ToFrozenDictionary(p => p.KeyPrefix, StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, ISourceProfile> SimpleByKind =
        All.Where(p => p.Source.Length == 0).ToFrozenDictionary(p => p.Kind, StringComparer.Ordinal);

    /// <summary>The profile of a record's source; a sender the console does not know gets the simple shape of its kind.</summary>
    public static ISourceProfile For(string source, string kind) =>
        BySource.TryGetValue(source, out var profile) ? profile
        : SimpleByKind.TryGetValue(kind, out var simple) ? simple
        : SimpleByKind[SimpleContainerProfile.ContainerKind];

    /// <summary>The profile whose keys start like this one (rows stored before parts were captured).</summary>
    public static ISourceProfile ForKey(string instanceKey)
    {
        var slash = instanceKey.IndexOf('/');
        var prefix = slash < 0 ? instanceKey : instanceKey[..slash];
        return ByKeyPrefix.TryGetValue(prefix, out var profile) ? profile : SimpleByKind[SimpleContainerProfile.ContainerKind];
    }

    /// <summary>The payload shapes one endpoint accepts, in detection order.</summary>
    public static IReadOnlyList<Features.Ingestion.Parsing.IPayloadFormat> FormatsFor(string kind) => FormatsByKind[kind];

    private static readonly FrozenDictionary<string, Features.Ingestion.Parsing.IPayloadFormat[]> FormatsByKind =
        All.GroupBy(p => p.Kind).ToFrozenDictionary(g => g.Key, g => g.SelectMany(p => p.Formats).ToArray(), StringComparer.Ordinal);

    /// <summary>
    /// Names the segments of a key: <paramref name="skip"/> leading segments (the source prefix) are not parts, a
    /// blank label drops its segment, and segments beyond the labels stay with the last part (a workload path).
    /// </summary>
    public static IReadOnlyList<IdentityPart> NameSegments(string instanceKey, int skip, params string[] labels)
    {
        var p = instanceKey.Split('/');
        var parts = new List<IdentityPart>(labels.Length);
        for (var i = 0; i < labels.Length && i + skip < p.Length; i++)
            if (labels[i].Length > 0) parts.Add(new IdentityPart(labels[i], p[i + skip]));
        if (labels.Length + skip < p.Length && parts.Count > 0)
            parts[^1] = parts[^1] with { Value = string.Join('/', p[(labels.Length + skip - 1)..]) };
        return parts;
    }
}
