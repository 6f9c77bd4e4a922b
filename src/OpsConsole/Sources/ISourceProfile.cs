using System.Linq.Expressions;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using OpsConsole.Data;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Sources;

/// <summary>
/// Everything the features need to know about one source system, asked instead of switching on its name.
/// Each source folder under <c>Sources/</c> holds one implementation; <see cref="SourceProfiles.All"/> lists them.
/// Members a source has nothing to say about keep their default.
/// </summary>
public interface ISourceProfile
{
    /// <summary>The <c>source</c> its records carry (<c>aos</c>, <c>kubernetes</c>…); empty for the simple shapes, which carry the sender's own name.</summary>
    string Source { get; }

    /// <summary>The ingestion endpoint kind its payloads arrive on (<c>unit</c>, <c>container</c>, <c>vm</c>).</summary>
    string Kind { get; }

    /// <summary>The first segment of its instance keys (<c>k8s</c> for Kubernetes); used only to read keys of rows stored without parts.</summary>
    string KeyPrefix { get; }

    /// <summary>Its payload shapes, in detection order.</summary>
    IReadOnlyList<IPayloadFormat> Formats { get; }

    /// <summary>Its classification rules (relative to the app folder), tried before the rules it shares with other sources.</summary>
    string? RulesFile => null;

    /// <summary>Its rules for what the shared rules leave over (catch-alls), tried after them.</summary>
    string? FallbackRulesFile => null;

    /// <summary>How <c>collect &lt;source&gt;</c> reads from the system itself; null where the system only pushes (Aos).</summary>
    OpsConsole.Features.Collectors.CollectorProfile? Collector => null;

    /// <summary>
    /// Its vocabulary: the upstream system's own identifiers (exception classes, reasons, codes) mapped to taxonomy
    /// ids, consulted at the point Features/Classification/rules.md describes.
    /// </summary>
    string? VocabularyFile => null;

    /// <summary>
    /// True when an upstream field marks the record as an error (a Nova <c>*.error</c> notification, an exception
    /// name, a Kubernetes Warning event): then no healthy or in-progress rule may classify it.
    /// </summary>
    bool MarkedAsError(EventRecord record) => false;

    /// <summary>The parts of a key stored before parts were captured at parse time (rows from older versions).</summary>
    IReadOnlyList<IdentityPart> PartsFromKey(string instanceKey);

    /// <summary>Where an instance reports from; by default the first part (cluster, host, cloud, region, app, unit).</summary>
    string OriginOf(IReadOnlyList<IdentityPart> parts, string source) => parts.Count > 1 ? parts[0].Value : source;

    /// <summary>The runbook placeholders this source fills, with what fills each.</summary>
    IReadOnlyDictionary<string, string> Placeholders => new Dictionary<string, string>();

    /// <summary>Fills this source's runbook placeholders for one record from its identity, its fields and its original item.</summary>
    void FillPlaceholders(PlaceholderValues values, EventRecord record, IReadOnlyList<IdentityPart> parts, JsonElement? item) { }

    /// <summary>
    /// Where to look at the instance in the system itself (its console page, a command), from its parts and, where
    /// they do not carry enough, its newest original item; empty where there is nothing to link to.
    /// </summary>
    IReadOnlyList<SourceLink> LinksTo(IReadOnlyList<IdentityPart> parts, SourceLinkOptions options, JsonElement? item) => [];

    /// <summary>The component showing where this instance failed (it takes the instance's records as <c>Records</c>), or null for none.</summary>
    Type? InstanceView(IReadOnlyList<IdentityPart> parts) => null;

    /// <summary>How its timeline splits into attempts (deployments, operations), or null for one group.</summary>
    TimelineAttempts? Attempts => null;

    /// <summary>What counts as a restart failure for crash-loop detection, and the window and threshold if not the configured ones.</summary>
    CrashLoopRule CrashLoop => CrashLoopRule.Exits;

    /// <summary>A failure that shows only as silence, or null.</summary>
    ISilenceCheck? Silence => null;

    /// <summary>Facts only other records show (hints the rules match), or null; one instance per process.</summary>
    IRecordCorrelation? CreateCorrelation(IDbContextFactory<OpsDbContext> databases, TimeProvider clock) => null;
}

/// <summary>The values a runbook's <c>{{name}}</c> placeholders take; blank values are left out.</summary>
public sealed class PlaceholderValues : Dictionary<string, string>
{
    public PlaceholderValues() : base(StringComparer.Ordinal) { }

    public void Set(string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value)) this[name] = value;
    }

    /// <summary>A string property of a JSON object, or null.</summary>
    public static string? Text(JsonElement? element, string property) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() : null;
}

/// <summary>Where a new attempt starts on an instance's timeline, and what a group is called.</summary>
public sealed record TimelineAttempts(Func<RecordDto, bool> Starts, Func<int, string> Title);

/// <summary>
/// Which records are failed restarts, and the burst that makes a loop when the source has its own. The condition is
/// an expression so the detector can both test new records with it and find the stored ones it must remember after
/// a restart (translated to SQL); it is the only place that knows what a failed restart looks like for the source.
/// </summary>
public sealed record CrashLoopRule(Expression<Func<EventRecord, bool>> Failure, TimeSpan? Window, int? Threshold, string Noun)
{
    private readonly Func<EventRecord, bool> _isFailure = Failure.Compile();

    public bool IsRestartFailure(EventRecord record) => _isFailure(record);

    /// <summary>The container default: an exit that means the process died (not a clean or graceful stop).</summary>
    public static CrashLoopRule Exits { get; } = new(
        r => r.ExitCode != null && r.ExitCode != 0 && r.ExitCode != 143 && r.Entry != "waiting", null, null, "exits");
}

/// <summary>A failure that shows only as silence: the newest record says "still going" and nothing followed.</summary>
public interface ISilenceCheck
{
    /// <summary>The newest records that mean "still going" (translated to SQL).</summary>
    Expression<Func<EventRecord, bool>> StillGoing { get; }

    /// <summary>The derived record for an instance silent for <paramref name="silentFor"/>, or null if it is not yet a failure.</summary>
    Task<EventRecord?> CheckAsync(SilenceContext context, EventRecord last, TimeSpan silentFor, CancellationToken cancellationToken);
}

/// <summary>What a silence check works with.</summary>
public sealed record SilenceContext(OpsDbContext Db, Features.Classification.ClassificationOptions Settings, DateTimeOffset Now, string RulesetVersion, string RuleId)
{
    public static string Minutes(TimeSpan span) => $"{span.TotalMinutes:0} min";
}

/// <summary>Sets hints on a batch before classification from what other records (in the batch or stored) show.</summary>
public interface IRecordCorrelation
{
    Task AnnotateAsync(IReadOnlyList<EventRecord> batch, CancellationToken cancellationToken);

    /// <summary>Sees every committed batch, for correlations that remember recent records.</summary>
    void Remember(IReadOnlyList<EventRecord> committed) { }

    /// <summary>Loads what a correlation remembers from the store; called once at start-up, off the request path.</summary>
    Task PrimeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    static void AddHint(EventRecord record, string hint) =>
        record.Hints = string.IsNullOrEmpty(record.Hints) ? hint : $"{record.Hints} {hint}";
}
