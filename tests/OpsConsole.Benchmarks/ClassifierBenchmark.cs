using BenchmarkDotNet.Attributes;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Ingestion.Parsing;
using OpsConsole.Features.Records;

namespace OpsConsole.Benchmarks;

/// <summary>
/// The shipped rules over every record the shared samples produce (all sources, failures and non-failures).
/// records/s = RecordsPerOperation / mean time; one core (BenchmarkDotNet runs the loop on one thread).
/// </summary>
[MemoryDiagnoser]
public class ClassifierBenchmark
{
    private RuleSet _rules = null!;
    private EventRecord[] _records = null!;

    public const int RecordsPerOperation = 10_000;

    [GlobalSetup]
    public void Setup()
    {
        var root = SamplesRoot();
        _rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        var parsed = new List<EventRecord>();
        foreach (var file in Directory.EnumerateFiles(root, "*.json*", SearchOption.AllDirectories).Where(f => !f.EndsWith("labels.json", StringComparison.Ordinal)))
        {
            var kind = file.Contains("/aos/", StringComparison.Ordinal) ? PayloadFormats.Unit
                : file.Contains("/nova/", StringComparison.Ordinal) || file.Contains("/maas/", StringComparison.Ordinal) ? PayloadFormats.Vm
                : PayloadFormats.Container;
            var context = new ParseContext(kind, DateTimeOffset.UtcNow, _ => null);
            using var items = PayloadReader.Split(File.ReadAllBytes(file), file.EndsWith(".jsonl", StringComparison.Ordinal), 10_000);
            PayloadFormats.Parse(kind, items, null, context);
            parsed.AddRange(context.Records);
        }
        _records = Enumerable.Range(0, RecordsPerOperation).Select(i => parsed[i % parsed.Count]).ToArray();
        Console.WriteLine($"// {parsed.Count} distinct sample records, {RecordsPerOperation} per operation");
    }

    [Benchmark(OperationsPerInvoke = RecordsPerOperation, Description = "classify one record")]
    public int Classify()
    {
        var failures = 0;
        foreach (var record in _records)
            if (_rules.Classify(record).IsFailure) failures++;
        return failures;
    }

    private static string SamplesRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "samples");
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new InvalidOperationException("shared/samples not found beside the repository");
    }
}
