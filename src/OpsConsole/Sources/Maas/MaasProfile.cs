using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources.Maas;

/// <summary>
/// MAAS machines (<c>maas/{region}/{system_id}</c>): events and machine states, the boot/commissioning steps,
/// and the two ways commissioning fails silently (seed B).
/// </summary>
public sealed class MaasProfile : ISourceProfile
{
    public const string SourceName = "maas";
    public const string KeyPrefix = "maas";
    public const string Region = "region";
    public const string Machine = "machine";

    public string Source => SourceName;

    public OpsConsole.Features.Collectors.CollectorProfile Collector { get; } =
        new(SourceName, "vm-events", OpsConsole.Features.Ingestion.Parsing.PayloadFormats.Vm, Region, MaasCollector.Create);
    public string Kind => PayloadFormats.Vm;
    string ISourceProfile.KeyPrefix => KeyPrefix;
    public IReadOnlyList<IPayloadFormat> Formats { get; } = [new MaasFormat()];
    public string RulesFile => "Sources/Maas/rules.yaml";
    public string VocabularyFile => "Sources/Maas/vocabulary.yaml";
    public string FallbackRulesFile => "Sources/Maas/fallback.rules.yaml";

    public IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey) => SourceProfiles.NameSegments(instanceKey, 1, Region, Machine);

    public IReadOnlyDictionary<string, string> Placeholders { get; } = new Dictionary<string, string>
    {
        ["region"] = "MAAS region (?region= at ingestion)",
        ["systemId"] = "MAAS machine system_id",
        ["hostname"] = "MAAS machine hostname",
    };

    public void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item)
    {
        if (parts.Count < 2) return;
        values.Set(Region, parts[0].Value);
        values.Set("systemId", parts[1].Value);
        values.Set("hostname", record.Location);
    }

    public Type InstanceView(IReadOnlyList<IdentityPart> parts) => typeof(BootSequenceView);

    /// <summary>The machine's page in the MAAS UI, when its root is configured.</summary>
    public IReadOnlyList<SourceLink> LinksTo(IReadOnlyList<IdentityPart> parts, SourceLinkOptions options, JsonElement? item) =>
        parts is [_, { Label: Machine } machine] && SourceLinkOptions.Usable(options.Maas)
            ? [SourceLink.Page("MAAS", SourceLink.Under(options.Maas!, "r", Machine, machine.Value, "summary"))]
            : [];

    /// <summary>Each commissioning or deployment is one operation on the timeline.</summary>
    public TimelineAttempts Attempts { get; } = new(
        r => r.Reason is "Commissioning" or "Deploying" or "Installing OS" || r.Message?.Contains("to 'Commissioning'", StringComparison.Ordinal) == true,
        attempt => $"Operation {attempt}");

    public ISilenceCheck Silence { get; } = new CommissioningSilence();

    public IRecordCorrelation CreateCorrelation(IDbContextFactory<OpsDbContext> databases, TimeProvider clock) => new BootedNoReportCorrelation(databases);
}
