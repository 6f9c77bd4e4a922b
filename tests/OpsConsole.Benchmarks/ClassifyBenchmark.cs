using System.Diagnostics;
using OpsConsole.Features.Classification;

namespace OpsConsole.Benchmarks;

/// <summary>
/// A quick figure for the classifier on one thread: the shipped rules and vocabularies over the corpus and sample
/// records, repeated until <c>records</c> have been classified, after warm-up passes until the JIT is quiet. Prints records/s by the wall
/// clock and per CPU-second of the process (on a shared machine the steadier of the two).
/// </summary>
public static class ClassifyBenchmark
{
    public static int Run(int records)
    {
        var rules = RuleSet.Load(IncidentClassifier.ShippedRuleFiles());
        var distinct = ClassifierRecords.Load();
        Console.WriteLine($"{distinct.Count} distinct corpus and sample records");
        // Warm-up (tiered JIT, regex compilation) until the JIT is quiet: the timed pass measures the classifier, not the
        // runtime's tier-up (after one fixed pass of 200 k, 0.27 s of a 2.5 s run was JIT).
        var warmUp = Math.Max(records / 10, distinct.Count);
        Console.WriteLine($"warm-up: {JitSettling.InProcess(() => Pass(rules, distinct, warmUp), maxPasses: 20)} of {warmUp:N0} records");
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var jitStart = System.Runtime.JitInfo.GetCompilationTime();
        var started = Stopwatch.GetTimestamp();
        var failures = Pass(rules, distinct, records);
        var jit = System.Runtime.JitInfo.GetCompilationTime() - jitStart;
        var elapsed = Stopwatch.GetElapsedTime(started);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        // On a shared machine the wall clock counts the time other processes had the core; CPU time does not.
        Console.WriteLine($"classified {records:N0} records in {elapsed.TotalMilliseconds:N0} ms: {records / elapsed.TotalSeconds:N0} records/s "
            + $"({elapsed.TotalNanoseconds / records:N0} ns/record); CPU {cpu.TotalMilliseconds:N0} ms: {records / cpu.TotalSeconds:N0} records per CPU-second ({failures:N0} failures); JIT {jit.TotalMilliseconds:N0} ms of it");
        return 0;
    }

    private static int Pass(RuleSet rules, List<Features.Records.EventRecord> distinct, int records)
    {
        var failures = 0;
        for (var i = 0; i < records; i++)
            if (rules.Classify(distinct[i % distinct.Count]).IsFailure) failures++;
        return failures;
    }
}
