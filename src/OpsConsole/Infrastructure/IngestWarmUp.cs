using System.Text;
using OpsConsole.Data;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Infrastructure;

/// <summary>
/// Start-up work the first ingest request would otherwise do while its sender waits: the pipeline's steps before the
/// store (parse, record limits, correlations, classifier) run once on a sample of each endpoint (their code compiled,
/// their tables and patterns built), and the store opens its writer with its prepared statements in an empty transaction. Nothing is stored. Runs before the console
/// listens, so it costs start-up what it saves the first request.
/// </summary>
public static class IngestWarmUp
{
    /// <summary>One small body per ingest endpoint, in the shapes senders post most.</summary>
    internal static readonly IReadOnlyDictionary<string, string> Samples = new Dictionary<string, string>
    {
        [PayloadFormats.Unit] = """
            {"header":{"version":7,"systemId":"warm-up","createdAt":"2026-01-01T00:00:00Z"},"data":{"messageType":"unitStatus","isDeltaInfo":true,
             "instances":[{"item":{"id":"svc-1","type":"service"},"subject":{"id":"s1"},"version":"1.0","instances":[{"instance":0,"state":"failed"}]}]}}
            """,
        [PayloadFormats.Container] = ApiKeyStore.FirstRecord,
        [PayloadFormats.Vm] = """{"source":"warm-up","instance":"vm-1","stage":"boot","status":"failed","timestamp":"2026-01-01T00:00:00Z"}""",
    };

    /// <summary>
    /// Runs each sample through the pipeline's own steps before the store (parse, record limits, correlation,
    /// classification; the records are dropped) and opens the store's writer.
    /// </summary>
    public static async Task<IReadOnlyList<EventRecord>> RunAsync(IngestionPipeline pipeline, IRecordStore store, CancellationToken cancellationToken)
    {
        var records = new List<EventRecord>();
        foreach (var (kind, body) in Samples)
        {
            using var items = PayloadReader.Split(Encoding.UTF8.GetBytes(body), newlineDelimited: false, maxItems: 10);
            var context = await pipeline.PrepareAsync(kind, items, format: null, _ => null, cancellationToken);
            records.AddRange(context.Records);
        }
        // No records: an empty transaction, which writes nothing and announces nothing.
        await store.WriteAsync([], cancellationToken);
        return records;
    }
}
