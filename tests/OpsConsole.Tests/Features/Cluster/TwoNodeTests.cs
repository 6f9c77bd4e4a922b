using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using OpsConsole.Tests.Data.Postgres;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Features.Cluster;

/// <summary>
/// Two real console processes on one PostgreSQL database, as a multi-node deployment runs them: what one node commits
/// reaches the other's open pages, a sign-in and a revocation made on one hold on the other, and the once-per-cluster
/// jobs move to the survivor when the node running them is killed.
/// </summary>
[Collection(ConsoleProcess.Collection)]
public sealed class TwoNodeTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Key = "two-node-test-key";
    private const string AdminEmail = "admin@two-nodes.test";
    private const string AdminPassword = "two-nodes-password-1";
    private static readonly string[] Jobs = ["crash-loop-watcher", "reclassifier", "silence-detector", "silence-sweeper"];

    private ConsoleProcess Start() => ConsoleProcess.Start(Path.Combine(Path.GetTempPath(), "opsconsole-two-nodes-unused.db"), Key, null,
        "--Database:Provider=Postgres", $"--ConnectionStrings:OpsConsole={database.ConnectionString}",
        $"--Auth:InitialAdmin:Email={AdminEmail}", $"--Auth:InitialAdmin:Password={AdminPassword}");

    [PostgresFact]
    public async Task Two_nodes_share_live_changes_sign_ins_revocations_and_jobs()
    {
        // A starts first: it makes the schema and the admin, and takes every job's lease.
        await using var a = Start();
        await a.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await EventuallyAsync(async () => Jobs.All((await LeadersAsync(a)).Contains), TimeSpan.FromSeconds(30), a, "A leads every job");
        await using var b = Start();
        await b.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        Assert.Empty(await LeadersAsync(b));

        // One cookie jar for both nodes (cookies ignore ports): the cookie A issues must open B's pages.
        using var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
        using var onA = new HttpClient(handler, disposeHandler: false) { BaseAddress = a.BaseAddress };
        using var onB = new HttpClient(handler, disposeHandler: false) { BaseAddress = b.BaseAddress };
        var signedIn = await onA.SignInAsync(AdminEmail, AdminPassword);
        Assert.NotEqual("/account/signin", signedIn.RequestMessage?.RequestUri?.AbsolutePath);
        var sources = await onB.GetAsync("/sources");
        Assert.Equal(HttpStatusCode.OK, sources.StatusCode);
        Assert.Equal("/sources", sources.RequestMessage?.RequestUri?.AbsolutePath);

        // A record posted to A shows on B's Sources page, which B keeps in memory from the commit notices alone (timed once
        // both paths have run once: a node's first request pays for its JIT).
        await a.CreateClient(Key).PostOkAsync("/api/v1/container-exits?host=warm-up-host", Samples.Read("docker/event-die-exit1-app-error-api152.json"));
        await EventuallyAsync(async () => (await onB.GetStringAsync("/sources")).Contains("data-origin=\"warm-up-host\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), b, "B's Sources page lists the first sender A received");
        var posted = Stopwatch.StartNew();
        await a.CreateClient(Key).PostOkAsync("/api/v1/container-exits?host=two-node-host", Samples.Read("docker/event-die-exit1-app-error-api152.json"));
        await EventuallyAsync(async () => (await onB.GetStringAsync("/sources")).Contains("data-origin=\"two-node-host\"", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), b, "B's Sources page lists the sender A received");
        Assert.True(posted.Elapsed < TimeSpan.FromSeconds(2), $"the record reached B's page {posted.ElapsedMilliseconds} ms after the POST started");

        // An embed token made on A opens B's panels; revoked on A, B refuses it within seconds.
        var created = await (await onA.PostAsJsonAsync("/api/v1/embed-tokens", new { label = "lobby" })).ReadJsonAsync();
        var secret = Uri.EscapeDataString(created.GetProperty("secret").GetString()!);
        await EventuallyAsync(async () => (await b.CreateClient().GetAsync($"/embed/failing?token={secret}")).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(5), b, "B accepts the token A made");
        (await onA.DeleteAsync($"/api/v1/embed-tokens/{created.GetProperty("id").GetInt32()}")).EnsureSuccessStatusCode();
        await EventuallyAsync(async () => (await b.CreateClient().GetAsync($"/embed/failing?token={secret}")).StatusCode == HttpStatusCode.Unauthorized,
            TimeSpan.FromSeconds(5), b, "B refuses the token A revoked");

        // A dies without a goodbye: its connections close, and B takes over every job.
        a.Crash();
        await EventuallyAsync(async () => Jobs.All((await LeadersAsync(b)).Contains), TimeSpan.FromSeconds(60), b, "B leads every job after A died");
    }

    /// <summary>The jobs a node's /metrics says it runs now.</summary>
    private static async Task<IReadOnlyList<string>> LeadersAsync(ConsoleProcess node)
    {
        var metrics = await node.CreateClient().GetStringAsync("/metrics");
        return [.. Jobs.Where(job => metrics.Contains($"opsconsole_cluster_leader{{job=\"{job}\"}} 1", StringComparison.Ordinal))];
    }

    private static async Task EventuallyAsync(Func<Task<bool>> condition, TimeSpan timeout, ConsoleProcess node, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout) Assert.Fail($"Not within {timeout}: {what}\n{node.Output[^Math.Min(node.Output.Length, 4000)..]}");
            await Task.Delay(100);
        }
    }
}
