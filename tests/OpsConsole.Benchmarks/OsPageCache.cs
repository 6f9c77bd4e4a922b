using System.Diagnostics;

namespace OpsConsole.Benchmarks;

/// <summary>
/// Empties the machine's page cache (Linux, as root), so a console then reads its store from the disk as after a reboot
/// or after another large job pushed the file out: at 10 M records that start ingested at 0.55 of a fresh file's rate,
/// against 0.91-0.96 with the file still cached.
/// </summary>
internal static class OsPageCache
{
    private const string DropCaches = "/proc/sys/vm/drop_caches";

    public static RecordsBenchmark.Row Drop()
    {
        const string what = "OS page cache before the big store's console";
        if (!OperatingSystem.IsLinux() || !File.Exists(DropCaches)) return new(what, "not dropped: no /proc/sys/vm/drop_caches here; the rows below ran on whatever it held", "");
        try
        {
            // Dirty pages are written first: drop_caches only drops clean ones.
            using (var sync = Process.Start(new ProcessStartInfo("sync") { UseShellExecute = false })!) sync.WaitForExit();
            File.WriteAllText(DropCaches, "1");
            return new(what, "dropped (sync; echo 1 > /proc/sys/vm/drop_caches)", "");
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            return new(what, $"not dropped ({ex.Message}: it takes root); the rows below ran on whatever it held", "");
        }
    }
}
