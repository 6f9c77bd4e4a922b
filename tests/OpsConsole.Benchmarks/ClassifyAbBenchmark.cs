using System.Collections;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace OpsConsole.Benchmarks;

/// <summary>
/// This build's classifier against another build's, both in this one process and alternated round by round, each round
/// timed by the thread's CPU clock. On the shared 2-core machine separate <c>classify</c> runs minutes apart differ by
/// ±10% at load 20 (the other core's work and the VM's speed drift); rounds a fraction of a second apart share both, so
/// the median of their ratios resolves a few percent. Each build loads into a context of its own and classifies its own
/// shipped rules and its own repository's corpus and samples (<see cref="ClassifierRecords"/>) through its own
/// <see cref="ClassifyBenchmark"/> pass; the two record counts are printed, and differ only if the corpus does.
/// </summary>
public static class ClassifyAbBenchmark
{
    public static int Run(string otherBuild, int rounds, int recordsPerRound)
    {
        Build[] builds = [Build.Load(otherBuild), Build.Load(AppContext.BaseDirectory)];
        foreach (var build in builds)
            Console.WriteLine($"{build.Folder}: {build.Records} distinct records; warm-up {JitSettling.InProcess(() => build.Run(recordsPerRound), maxPasses: 20)} of {recordsPerRound:N0}");
        var (other, self, ratios) = (new List<double>(), new List<double>(), new List<double>());
        for (var round = 0; round < rounds; round++)
        {
            // Alternate which goes first, so neither always starts with the other's data in the caches.
            var first = round % 2;
            var a = builds[first].Run(recordsPerRound);
            var b = builds[1 - first].Run(recordsPerRound);
            var (o, s) = first == 0 ? (a, b) : (b, a);
            other.Add(o);
            self.Add(s);
            ratios.Add(o / s);
            Console.WriteLine($"round {round + 1}: other {o:N0} ns/record, this {s:N0}, ratio {o / s:F3}; load {Measures.LoadAverage()}");
        }
        Console.WriteLine($"medians: other {Measures.Median(other):N0} ns/record, this {Measures.Median(self):N0}; ratio other/this {Measures.Median(ratios):F3} (above 1: this build is faster); "
            + $"failures in the last round: other {builds[0].Failures:N0}, this {builds[1].Failures:N0}");
        return 0;
    }

    /// <summary>One build's rules, records and pass, loaded from its benchmark output folder.</summary>
    private sealed class Build
    {
        private readonly object _rules;
        private readonly object _records;
        private readonly MethodInfo _pass;

        public string Folder { get; }
        public int Records => ((ICollection)_records).Count;
        public int Failures { get; private set; }

        private Build(string folder, object rules, object records, MethodInfo pass) => (Folder, _rules, _records, _pass) = (folder, rules, records, pass);

        public static Build Load(string folder)
        {
            folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
            var main = Path.Combine(folder, "OpsConsole.Benchmarks.dll");
            var context = new BuildContext(main);
            var benchmarks = context.LoadFromAssemblyPath(main);
            var app = context.LoadFromAssemblyName(new AssemblyName("OpsConsole"));
            // The shipped rule files and the corpus are found from the app folder: for the load, the build's own.
            var ownFolder = AppContext.BaseDirectory;
            AppContext.SetData("APP_CONTEXT_BASE_DIRECTORY", folder + "/");
            try
            {
                var files = ((IEnumerable<(string, string)>)app.GetType("OpsConsole.Features.Classification.IncidentClassifier")!
                    .GetMethod("ShippedRuleFiles")!.Invoke(null, null)!).ToList();
                var rules = app.GetType("OpsConsole.Features.Classification.RuleSet")!.GetMethod("Load")!.Invoke(null, [files, null])!;
                var records = benchmarks.GetType(typeof(ClassifierRecords).FullName!)!.GetMethod(nameof(ClassifierRecords.Load))!.Invoke(null, null)!;
                var pass = benchmarks.GetType(typeof(ClassifyBenchmark).FullName!)!.GetMethod("Pass", BindingFlags.NonPublic | BindingFlags.Static)!;
                return new Build(folder, rules, records, pass);
            }
            finally
            {
                AppContext.SetData("APP_CONTEXT_BASE_DIRECTORY", ownFolder);
            }
        }

        /// <summary>Classifies <paramref name="records"/> records; CPU ns per record of this thread.</summary>
        public double Run(int records)
        {
            var start = ThreadCpuNanoseconds();
            Failures = (int)_pass.Invoke(null, [_rules, _records, records])!;
            return (ThreadCpuNanoseconds() - start) / (double)records;
        }

        private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

        [DllImport("libc", EntryPoint = "clock_gettime")]
        private static extern int ClockGetTime(int clock, out TimeSpec time);

        private struct TimeSpec
        {
            public long Seconds, Nanoseconds;
        }

        private static long ThreadCpuNanoseconds()
        {
            ClockGetTime(ThreadCpuClock, out var time);
            return time.Seconds * 1_000_000_000 + time.Nanoseconds;
        }
    }

    /// <summary>A build's own assemblies (the app, its packages) from its folder; the shared framework from the default context.</summary>
    private sealed class BuildContext(string main) : AssemblyLoadContext(isCollectible: false)
    {
        private readonly AssemblyDependencyResolver _resolver = new(main);

        protected override Assembly? Load(AssemblyName name) =>
            _resolver.ResolveAssemblyToPath(name) is { } path ? LoadFromAssemblyPath(path) : null;
    }
}
