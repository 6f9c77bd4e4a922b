using Prometheus;

namespace OpsConsole.Infrastructure;

/// <summary>The console's own Prometheus metrics (HTTP metrics come from prometheus-net's middleware).</summary>
public static class OpsMetrics
{
    public const string OtherSource = "other";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> SourceLabels = new(StringComparer.Ordinal);

    /// <summary>The sources the console's own formats name always keep their label.</summary>
    private static readonly HashSet<string> BuiltInSources = [.. OpsConsole.Sources.SourceProfiles.All.Select(p => p.Source).Where(s => s.Length > 0)];

    /// <summary>
    /// The label for a source: its name for the first <paramref name="limit"/> distinct sources, then "other".
    /// Every label value is a time series kept for the life of the process, and senders choose source names.
    /// </summary>
    public static string SourceLabel(string source, int limit)
    {
        if (BuiltInSources.Contains(source) || SourceLabels.ContainsKey(source)) return source;
        if (SourceLabels.Count >= limit) return OtherSource;
        SourceLabels.TryAdd(source, true);
        return source;
    }

    public static readonly Counter RecordsIngested = Metrics.CreateCounter(
        "opsconsole_records_ingested_total", "Records stored by ingestion (duplicates excluded).",
        new CounterConfiguration { LabelNames = ["kind", "source"] });

    public static readonly Counter DuplicatesIgnored = Metrics.CreateCounter(
        "opsconsole_records_duplicate_total", "Records posted again and not stored a second time.",
        new CounterConfiguration { LabelNames = ["kind"] });

    public static readonly Counter RecordsClassified = Metrics.CreateCounter(
        "opsconsole_records_classified_total", "Records classified, by category and severity.",
        new CounterConfiguration { LabelNames = ["category", "severity"] });

    public static readonly Counter Unclassified = Metrics.CreateCounter(
        "opsconsole_records_unknown_total", "Failures no rule matched (category unknown): each one wants a rule.");

    public static readonly Counter IngestRejected = Metrics.CreateCounter(
        "opsconsole_ingest_rejected_total", "Ingestion requests refused, by HTTP status.",
        new CounterConfiguration { LabelNames = ["kind", "status"] });

    public static readonly Counter IngestRejectedLines = Metrics.CreateCounter(
        "opsconsole_ingest_rejected_lines_total", "Stream lines skipped because they did not parse (the rest of the stream was kept).",
        new CounterConfiguration { LabelNames = ["kind"] });

    public static readonly Histogram IngestBatchDuration = Metrics.CreateHistogram(
        "opsconsole_ingest_batch_duration_seconds", "Time to parse, classify and commit one ingestion request.",
        new HistogramConfiguration { LabelNames = ["kind"], Buckets = Histogram.ExponentialBuckets(0.001, 2, 14) });

    private static readonly double[] WriteBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10];

    public static readonly Histogram StoreWriteWait = Metrics.CreateHistogram(
        "opsconsole_store_write_wait_seconds", "Time a write transaction waited for SQLite's single writer, by operation (ingest, reclassify, rebuild, retention, vacuum).",
        new HistogramConfiguration { LabelNames = ["operation"], Buckets = WriteBuckets });

    public static readonly Histogram StoreWriteHold = Metrics.CreateHistogram(
        "opsconsole_store_write_hold_seconds", "Time a write transaction held SQLite's single writer (what a queued ingest waits for), by operation.",
        new HistogramConfiguration { LabelNames = ["operation"], Buckets = WriteBuckets });

    public static readonly Histogram StoreWriteCommit = Metrics.CreateHistogram(
        "opsconsole_store_write_commit_seconds", "Time the COMMIT of a write transaction took (part of the hold: the WAL append and any checkpoint run inside it), by operation.",
        new HistogramConfiguration { LabelNames = ["operation"], Buckets = WriteBuckets });

    public static readonly Histogram StoreCheckpoint = Metrics.CreateHistogram(
        "opsconsole_store_checkpoint_seconds", "Time a WAL checkpoint took off the request path, by what ran it (background, truncate, between-slices).",
        new HistogramConfiguration { LabelNames = ["trigger"], Buckets = WriteBuckets });

    public static readonly Gauge WriterCacheWarmed = Metrics.CreateGauge(
        "opsconsole_store_writer_cache_warm_seconds", "Seconds the SQLite writer's cache warm-up after start-up took; absent until it has finished.",
        new GaugeConfiguration { SuppressInitialValue = true });

    public static readonly Histogram GcPause = Metrics.CreateHistogram(
        "opsconsole_gc_pause_seconds", "Time a garbage collection held every thread of the console (requests included), by generation collected.",
        new HistogramConfiguration { LabelNames = ["generation"], Buckets = WriteBuckets });

    public static readonly Counter ThreadPoolStarvation = Metrics.CreateCounter(
        "opsconsole_threadpool_starvation_total", "Times the thread pool added a thread because its queued work (requests included) made no progress.");

    public static readonly Counter DerivedRecords = Metrics.CreateCounter(
        "opsconsole_derived_records_total", "Pattern records written by the detectors (crash loops, silences).",
        new CounterConfiguration { LabelNames = ["category"] });

    public static readonly Gauge ClusterLeader = Metrics.CreateGauge(
        "opsconsole_cluster_leader", "1 for each once-per-cluster job (reclassifier, detectors, sweepers) this node runs now, 0 when another node does.",
        new GaugeConfiguration { LabelNames = ["job"] });

    public static readonly Counter NotificationFailures = Metrics.CreateCounter(
        "opsconsole_notification_failures_total", "Notifications a channel did not accept after every retry, by channel.",
        new CounterConfiguration { LabelNames = ["channel"] });
}
