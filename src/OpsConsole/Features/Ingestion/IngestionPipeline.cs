using OpsConsole.Data;
using System.Diagnostics;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Infrastructure;

namespace OpsConsole.Features.Ingestion;

/// <summary>The result of one ingestion request, records in input order.</summary>
public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<IngestedRecord> Records)
{
    /// <summary>A stream's lines that were skipped (absent for documents and clean streams).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<RejectedLine>? Rejected { get; init; }
}

public sealed record IngestedRecord(long Id, string Kind, string Source, string Instance, string Category, string Severity, bool Duplicate, bool Updated);

/// <summary>Parse → correlate → classify → commit, for one request; nothing is written unless everything parsed.</summary>
public sealed class IngestionPipeline(
    IncidentClassifier classifier,
    RecordCorrelator correlator,
    IRecordStore store,
    IOptionsMonitor<IngestionOptions> options,
    TimeProvider clock)
{
    public async Task<IngestResult> IngestAsync(string kind, IReadOnlyList<PayloadNode> items, string? format,
        Func<string, string?> query, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var context = await PrepareAsync(kind, items, format, query, cancellationToken);
        var records = context.Records;
        var settings = options.CurrentValue;
        var timing = RequestTiming.Current;

        var storing = Stopwatch.GetTimestamp();
        var stored = await store.WriteAsync(records, cancellationToken);
        timing?.Add("store", Stopwatch.GetElapsedTime(storing));

        var result = new List<IngestedRecord>(records.Count);
        var accepted = 0;
        // Metric labels are looked up once per distinct value in the batch, not once per record.
        var bySource = new Dictionary<(string, string), int>();
        var byCategory = new Dictionary<(string, string), int>();
        for (var i = 0; i < records.Count; i++)
        {
            var r = records[i];
            var s = stored[i];
            result.Add(new IngestedRecord(s.Id, r.Kind, r.Source, r.InstanceKey, r.Category, r.Severity, s.Duplicate, s.Updated));
            if (s.Duplicate) continue;
            accepted++;
            bySource[(r.Kind, r.Source)] = bySource.GetValueOrDefault((r.Kind, r.Source)) + 1;
            byCategory[(r.Category, r.Severity)] = byCategory.GetValueOrDefault((r.Category, r.Severity)) + 1;
        }
        foreach (var ((recordKind, source), count) in bySource)
            OpsMetrics.RecordsIngested.WithLabels(recordKind, OpsMetrics.SourceLabel(source, settings.MaxSourceLabels)).Inc(count);
        foreach (var ((category, severity), count) in byCategory)
        {
            OpsMetrics.RecordsClassified.WithLabels(category, severity).Inc(count);
            if (category == Taxonomy.Unknown) OpsMetrics.Unclassified.Inc(count);
        }
        if (records.Count > accepted) OpsMetrics.DuplicatesIgnored.WithLabels(kind).Inc(records.Count - accepted);
        OpsMetrics.IngestBatchDuration.WithLabels(kind).Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);

        if (context.Rejected.Count > 0) OpsMetrics.IngestRejectedLines.WithLabels(kind).Inc(context.Rejected.Count);
        return new IngestResult(accepted, records.Count - accepted, result) { Rejected = context.Rejected.Count > 0 ? context.Rejected : null };
    }

    /// <summary>
    /// Everything before the store: parse, the record limits, correlation and classification. Start-up runs it on
    /// samples (<see cref="IngestWarmUp"/>) and stores nothing, so the first request finds this code compiled.
    /// </summary>
    internal async Task<ParseContext> PrepareAsync(string kind, IReadOnlyList<PayloadNode> items, string? format,
        Func<string, string?> query, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var context = new ParseContext(kind, clock.GetUtcNow(), query);
        PayloadFormats.Parse(kind, items, format, context);
        var records = context.Records;

        var settings = options.CurrentValue;
        foreach (var record in records)
        {
            RecordLimits.Apply(record, settings.MaxMessageLength, settings.MaxRawLength);
            SourceTime.ApplySkewLimit(record, settings.MaxClockSkew);
        }
        var timing = RequestTiming.Current;
        timing?.Add("parse", Stopwatch.GetElapsedTime(started));
        var classifying = Stopwatch.GetTimestamp();
        await correlator.AnnotateAsync(records, cancellationToken);
        var rules = classifier.Rules;
        foreach (var record in records) IncidentClassifier.Apply(rules, record);
        timing?.Add("classify", Stopwatch.GetElapsedTime(classifying));
        return context;
    }
}
