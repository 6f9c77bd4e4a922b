using System.Linq.Expressions;
using OpsConsole.Features.Classification.Patterns;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Aos;

/// <summary>
/// Aos edge units: service instances (<c>aos/{unit}/{item}/{subject}/{instance}</c>) and the other parts of a
/// unit (<c>aos/{unit}/{part}[/{id}]</c>: unit-config, node, item, download); the deployment pipeline; the
/// burst of failed starts; an instance stuck activating.
/// </summary>
public sealed class AosProfile : ISourceProfile
{
    public const string SourceName = "aos";
    public const string KeyPrefix = "aos";
    public const string Unit = "unit";
    public const string Part = "part";
    public const string Id = "id";

    public string Source => SourceName;
    public string Kind => "unit";
    string ISourceProfile.KeyPrefix => KeyPrefix;
    public IReadOnlyList<IPayloadFormat> Formats { get; } = [new AosCloudMessageFormat()];
    public string RulesFile => "Sources/Aos/rules.yaml";
    public string VocabularyFile => "Sources/Aos/vocabulary.yaml";
    public string FallbackRulesFile => "Sources/Aos/fallback.rules.yaml";

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey) =>
        instanceKey.Count(c => c == '/') == 4
            ? SourceProfiles.NameSegments(instanceKey, 1, Unit, "item", "subject", "instance")
            : SourceProfiles.NameSegments(instanceKey, 1, Unit, Part, Id);

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["unitId"] = "Aos unit (system) id",
        ["itemId"] = "Aos service or layer id",
        ["subjectId"] = "Aos subject id",
        ["instanceIndex"] = "Aos instance index",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, System.Text.Json.JsonElement? item)
    {
        if (parts.Count == 0) return;
        values.Set("unitId", parts[0].Value);
        if (!IsServiceInstance(parts)) return;
        values.Set("itemId", parts[1].Value);
        values.Set("subjectId", parts[2].Value);
        values.Set("instanceIndex", parts[3].Value);
    }

    /// <summary>Service instances and items go through the deployment pipeline; nodes and the unit config do not.</summary>
    public Type? InstanceView(IReadOnlyList<IdentityPart> parts) =>
        IsServiceInstance(parts) || parts is [_, { Label: Part, Value: "item" }, ..] ? typeof(DeploymentPipelineView) : null;

    /// <summary>A new deployment attempt starts each time the instance goes back to activating.</summary>
    public TimelineAttempts Attempts { get; } = new(
        r => r.State?.Equals("activating", StringComparison.OrdinalIgnoreCase) == true,
        attempt => $"Deployment attempt {attempt}");

    /// <summary>Seed A: the unit gives up on an instance after three failed starts within five seconds.</summary>
    public CrashLoopRule CrashLoop { get; } = new(r => r.Entry == "instance" && r.State == "failed",
        TimeSpan.FromSeconds(5), 3, "failed starts");

    public ISilenceCheck Silence { get; } = new StillActivating();

    private static bool IsServiceInstance(IReadOnlyList<IdentityPart> parts) => parts.Count == 4 && parts[0].Label == Unit && parts[1].Label != Part;

    /// <summary>An instance still <c>activating</c> with no newer status: <c>deploy.stalled</c>.</summary>
    private sealed class StillActivating : ISilenceCheck
    {
        public Expression<Func<EventRecord, bool>> StillGoing { get; } = r => r.Entry == "instance" && r.State == "activating";

        public Task<EventRecord?> CheckAsync(SilenceContext context, EventRecord last, TimeSpan silentFor, CancellationToken cancellationToken)
        {
            var after = context.Settings.StalledAfter;
            return Task.FromResult(silentFor < after ? null : DerivedRecord.Create(InstanceIdentity.Of(last), "deploy.stalled", "error", context.RuleId,
                $"state=activating; no newer status for {SilenceContext.Minutes(silentFor)}",
                $"Still activating with nothing reported for {SilenceContext.Minutes(silentFor)} (threshold {SilenceContext.Minutes(after)})",
                [last.Id], context.Now, context.RulesetVersion));
        }
    }
}
