using System.Diagnostics;
using System.Runtime;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Warm-ups that go on until the runtime's JIT is quiet, so a timed run measures the code and not its tier-up: a pass of
/// the warm-up that compiles for less than <see cref="SettledShare"/> of its time counts as settled.
/// </summary>
internal static class JitSettling
{
    public const double SettledShare = 0.02;

    /// <summary>
    /// Runs <paramref name="pass"/> in this process until one pass settles, at most <paramref name="maxPasses"/> times;
    /// says how many passes ran and whether the last one settled.
    /// </summary>
    public static string InProcess(Action pass, int maxPasses)
    {
        for (var n = 1; ; n++)
        {
            var before = JitInfo.GetCompilationTime();
            var watch = Stopwatch.StartNew();
            pass();
            var settled = JitInfo.GetCompilationTime() - before < watch.Elapsed * SettledShare;
            if (settled || n == maxPasses) return $"{n} pass(es){(settled ? "" : ", the JIT still busy in the last")}";
        }
    }
}
