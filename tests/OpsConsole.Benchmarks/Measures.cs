namespace OpsConsole.Benchmarks;

/// <summary>What the benchmarks that repeat rounds report beside their figures: the median of the rounds and the machine's load.</summary>
internal static class Measures
{
    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The 1-, 5- and 15-minute load averages (a shared 2-core machine: read the figures beside them).</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "?";
}
