using System.Text.Json;

namespace OpsConsole.Benchmarks;

/// <summary>Container-exit batches shaped like real emitters: Docker die events, ACA rows and the simple shape.</summary>
public static class Workload
{
    /// <summary>
    /// <paramref name="records"/> items in batches of <paramref name="batchSize"/>, cycling through <paramref name="containers"/>
    /// container names (each source shape adds its own instances), the first at <paramref name="start"/> and each
    /// <paramref name="step"/> (default 37 ms) after the one before.
    /// </summary>
    public static IEnumerable<string> Batches(int records, int batchSize, int containers = 5000, DateTimeOffset? start = null, TimeSpan? step = null)
    {
        var first = start ?? DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var stepMs = (step ?? TimeSpan.FromMilliseconds(37)).TotalMilliseconds;
        var sequence = 0;
        while (sequence < records)
        {
            var items = new List<object>(batchSize);
            for (var i = 0; i < batchSize && sequence < records; i++, sequence++)
            {
                var at = first.AddMilliseconds(sequence * stepMs);
                var container = $"svc-{sequence % containers}";
                var exitCode = (sequence % 11) switch { 0 => 137, 1 => 143, 2 => 0, 3 => 139, _ => 1 };
                items.Add((sequence % 3) switch
                {
                    0 => new Dictionary<string, object>
                    {
                        ["Type"] = "container", ["Action"] = "die", ["scope"] = "local",
                        ["time"] = at.ToUnixTimeSeconds(), ["timeNano"] = at.ToUnixTimeMilliseconds() * 1_000_000,
                        ["Actor"] = new { ID = $"{sequence:x16}{sequence:x16}", Attributes = new Dictionary<string, string> { ["exitCode"] = exitCode.ToString(System.Globalization.CultureInfo.InvariantCulture), ["execDuration"] = "17", ["image"] = "registry.example.com/shop/inventory:1.8.2", ["name"] = container } },
                    },
                    1 => new Dictionary<string, object>
                    {
                        ["TableName"] = "PrimaryResult", ["TimeGenerated"] = at.ToString("O"), ["EnvironmentName_s"] = "cae-shop-prod",
                        ["ContainerAppName_s"] = $"ca-{container}", ["RevisionName_s"] = $"ca-{container}--v0m3k2p", ["ReplicaName_s"] = $"ca-{container}--v0m3k2p-6d9f7c8b5-x7q2m",
                        ["Reason_s"] = "ContainerTerminated", ["Type_s"] = "Warning", ["EventSource_s"] = "ContainerAppController", ["Count_d"] = "1",
                        ["Log_s"] = $"Container '{container}' was terminated with exit code '{exitCode}' and reason '{(exitCode == 137 ? "OOMKilled" : "ProcessExited")}'",
                    },
                    _ => new Dictionary<string, object>
                    {
                        ["source"] = "nomad", ["cluster"] = "eu-1", ["namespace"] = "shop", ["workload"] = "inventory", ["instance"] = container,
                        ["container"] = "app", ["exitCode"] = exitCode, ["reason"] = exitCode == 0 ? "Completed" : "Error",
                        ["message"] = "process exited", ["restartCount"] = sequence % 9, ["finishedAt"] = at.ToString("O"),
                    },
                });
            }
            yield return JsonSerializer.Serialize(items);
        }
    }
}
