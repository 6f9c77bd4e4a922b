using OpsConsole.Data;
using Prometheus;

namespace OpsConsole.Features.Retention;

/// <summary>
/// What the store holds and what retention removed, on <c>/metrics</c>. The figures are read at scrape time from the
/// counter table, one end of the ReceivedAt index and the file sizes, never by counting records. They live in this
/// console's own registry (not the process-wide one), so each console in a process reports its own store.
/// </summary>
public sealed class StorageMetrics
{
    private readonly Gauge _records;
    private readonly Gauge _oldestAge;
    private readonly Gauge _bytes;
    private readonly Counter _deleted;

    public StorageMetrics(IRecordStore store, TimeProvider clock, ILogger<StorageMetrics> logger)
    {
        var metrics = Metrics.WithCustomRegistry(Registry);
        _records = metrics.CreateGauge("opsconsole_records_stored", "Records in the store.");
        _oldestAge = metrics.CreateGauge("opsconsole_oldest_record_age_seconds", "Age of the oldest stored record by received time (0 when empty).");
        _bytes = metrics.CreateGauge("opsconsole_database_bytes", "Bytes the store takes on disk (SQLite: the database file and its WAL).");
        _deleted = metrics.CreateCounter("opsconsole_retention_deleted_records_total", "Records deleted by retention (Retention:MaxAge, Retention:MaxRecords).");
        Registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            try
            {
                var figures = await store.StorageFiguresAsync(cancellationToken);
                _records.Set(figures.Records);
                _oldestAge.Set(figures.OldestReceivedAt is { } oldest ? Math.Max(0, (clock.GetUtcNow() - oldest).TotalSeconds) : 0);
                _bytes.Set(figures.BytesOnDisk);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A store that cannot be read is when the other metrics matter most: keep the last figures, answer the scrape.
                logger.LogWarning(e, "Reading the storage figures for /metrics failed");
            }
        });
    }

    public CollectorRegistry Registry { get; } = Metrics.NewCustomRegistry();

    public void CountDeleted(long records) => _deleted.Inc(records);

    /// <summary>The process-wide metrics (HTTP, ingestion) followed by this console's storage metrics, in the text format.</summary>
    public static async Task ScrapeAsync(HttpContext http, StorageMetrics storage)
    {
        http.Response.ContentType = PrometheusConstants.TextContentTypeWithVersionAndEncoding;
        await Metrics.DefaultRegistry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        await storage.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
    }
}
