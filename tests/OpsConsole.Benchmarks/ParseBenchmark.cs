using System.Diagnostics;
using System.Text;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.Ingestion.Parsing;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The request path's parse stage on one thread, without a console, a store or the classifier: the ingest workload's
/// bodies split into items and read into records (<see cref="PayloadReader.Split"/>, <see cref="PayloadFormats.Parse"/>,
/// the record limits), as the console does per request. Prints CPU µs per record: the ingest benchmark's Server-Timing
/// parse stage is wall time, which on a loaded machine counts every wait for a core.
/// </summary>
public static class ParseBenchmark
{
    private const int BatchSize = 500;

    public static int Run(int records)
    {
        var bodies = Workload.Batches(records, BatchSize).Select(Encoding.UTF8.GetBytes).ToList();
        Console.WriteLine($"workload: {records:N0} container-exit items in {bodies.Count} bodies of {BatchSize}");
        Console.WriteLine($"warm-up: {JitSettling.InProcess(() => Pass(bodies), maxPasses: 30)}");
        // Five timed passes; the median is printed, with the spread, since other processes share the cores.
        var perRecord = new List<double>();
        for (var pass = 0; pass < 5; pass++)
        {
            var process = Process.GetCurrentProcess();
            var cpuBefore = process.TotalProcessorTime;
            var parsed = Pass(bodies);
            process.Refresh();
            perRecord.Add((process.TotalProcessorTime - cpuBefore).TotalMicroseconds / parsed);
        }
        perRecord.Sort();
        Console.WriteLine($"parse CPU per record: median {perRecord[2]:F2} µs (passes {string.Join(", ", perRecord.Select(v => v.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} µs)");
        return 0;
    }

    private static int Pass(List<byte[]> bodies)
    {
        var parsed = 0;
        var options = new IngestionOptions();
        foreach (var body in bodies)
        {
            var context = new ParseContext(PayloadFormats.Container, DateTimeOffset.UtcNow, _ => null);
            using var items = PayloadReader.Split(body, newlineDelimited: false, options.MaxItems);
            PayloadFormats.Parse(PayloadFormats.Container, items, null, context);
            foreach (var record in context.Records)
            {
                RecordLimits.Apply(record, options.MaxMessageLength, options.MaxRawLength);
                SourceTime.ApplySkewLimit(record, options.MaxClockSkew);
            }
            parsed += context.Records.Count;
        }
        return parsed;
    }
}
