using System.Net;

namespace OpsConsole.Tests.Data;

/// <summary>
/// A full disk: the console's database on a 6 MB tmpfs the test mounts, filled up while it runs. Writes
/// answer 503 with Retry-After (never a crash or a 500), /readyz turns unhealthy, and both recover once
/// space is freed and a write goes through.
/// </summary>
public sealed class StorageFaultTests
{
    [Fact]
    public async Task A_full_disk_answers_503_with_retry_after_and_readyz_follows_the_storage()
    {
        using var factory = new OpsConsoleFactory();
        if (!Mount(factory.Directory, "6m"))
        {
            await A_database_at_its_page_cap_answers_503_and_readyz_is_unhealthy();
            return;
        }
        try
        {
            var api = factory.CreateApiClient();
            await api.PostOkAsync("/api/v1/container-exits", Batch("before", 10));
            Assert.Equal("Healthy", await factory.CreateClient().GetStringAsync("/readyz"));

            var filler = Path.Combine(factory.Directory, "filler");
            Fill(filler);

            // Big enough that the WAL has to grow past what earlier commits left allocated.
            var refused = await api.PostJsonTextAsync("/api/v1/container-exits", Batch("during", 3000));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
            Assert.Contains("Retry later", (await refused.ReadJsonAsync()).GetProperty("detail").GetString());

            var ready = await factory.CreateClient().GetAsync("/readyz");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("storage: Unhealthy: Writes to the database fail", await ready.Content.ReadAsStringAsync());

            File.Delete(filler);
            await api.PostOkAsync("/api/v1/container-exits", Batch("after", 100));
            Assert.Equal("Healthy", await factory.CreateClient().GetStringAsync("/readyz"));
            Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records WHERE InstanceKey LIKE 'ci/during%'"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            factory.Dispose();
            Infrastructure.HostCommand.Run("umount", "-l", factory.Directory);
        }
    }

    /// <summary>Where no tmpfs can be mounted: the same refusal from SQLite's max_page_count (Database:MaxPageCount).</summary>
    [Fact]
    public async Task A_database_at_its_page_cap_answers_503_and_readyz_is_unhealthy()
    {
        using var factory = new OpsConsoleFactory(new() { ["Database:MaxPageCount"] = "400" });
        var api = factory.CreateApiClient();
        await api.PostOkAsync("/api/v1/container-exits", Batch("before", 10));

        var refused = await api.PostJsonTextAsync("/api/v1/container-exits", Batch("during", 3000));
        Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{refused.StatusCode} pages={factory.Scalar("PRAGMA page_count")} size={factory.Scalar("PRAGMA page_size")}");
        Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
        var ready = await factory.CreateClient().GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records WHERE InstanceKey LIKE 'ci/during%'"));
    }

    private static string Batch(string tag, int count)
    {
        var items = Enumerable.Range(0, count).Select(i =>
            $$"""{"source":"ci","instance":"{{tag}}-{{i}}","exitCode":1,"reason":"Error","message":"{{new string('x', 400)}}","finishedAt":"2026-01-01T00:00:00Z"}""");
        return "[" + string.Join(",", items) + "]";
    }

    private static void Fill(string path)
    {
        using var file = new FileStream(path, FileMode.Create);
        var block = new byte[64 * 1024];
        try
        {
            while (true) file.Write(block);
        }
        catch (IOException)
        {
            // ENOSPC: the file system is full.
        }
    }

    private static bool Mount(string directory, string size) =>
        Environment.OSVersion.Platform == PlatformID.Unix && Infrastructure.HostCommand.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "tmpfs", directory);
}
