using System.Data.Common;
using System.Net;
using System.Net.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using OpsConsole.Data;
using OpsConsole.Features.Instances;

namespace OpsConsole.Tests.Features.Instances;

/// <summary>
/// The failing list's default view asks few short questions on one connection: its total comes from the counter
/// table unless a mute or a silence hides an instance, and then it is counted.
/// </summary>
public sealed class FailingTotalTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public FailingTotalTests(OpsConsoleFactory factory) => _factory = factory;

    [Fact]
    public async Task The_total_comes_from_the_counters_on_one_connection_and_is_counted_once_a_mute_or_silence_hides_an_instance()
    {
        var api = _factory.CreateApiClient();
        var muted = await FailingInstanceAsync(api, "total-a");
        await FailingInstanceAsync(api, "total-b");
        var recorder = new Recorder();
        var queries = new InstanceQueries(new PooledDbContextFactory<OpsDbContext>(new DbContextOptionsBuilder<OpsDbContext>()
            .UseSqlite($"Data Source={_factory.DatabasePath}").AddInterceptors(recorder).Options));
        var failing = _factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE IsFailing");

        var page = await queries.FailingAsync(new FailingFilter(), FailingSort.LastFailure, descending: true, 0, 50, default);
        Assert.Equal(failing, page.Total);
        Assert.Equal(1, recorder.Opened);
        Assert.Contains(recorder.Commands, c => c.Contains("category_counts", StringComparison.Ordinal));
        Assert.DoesNotContain(recorder.Commands, c => c.Contains("COUNT(", StringComparison.Ordinal));
        // Is anything muted, which silences are active, the counters, the page, its acknowledgements.
        Assert.Equal(5, recorder.Commands.Count);

        recorder.Clear();
        Assert.Equal(HttpStatusCode.OK, (await api.PutAsJsonAsync($"/api/v1/instances/{Uri.EscapeDataString(muted)}/acknowledgement", new { status = "muted" })).StatusCode);
        Assert.Equal(failing - 1, (await queries.FailingAsync(new FailingFilter(), FailingSort.LastFailure, descending: true, 0, 50, default)).Total);
        Assert.Contains(recorder.Commands, c => c.Contains("COUNT(", StringComparison.Ordinal));

        Assert.Equal(HttpStatusCode.Created, (await api.PostAsJsonAsync("/api/v1/silences",
            new { instancePattern = "k8s/total-b/*", reason = "total-b is being drained", endsAt = DateTimeOffset.UtcNow.AddHours(1) })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/api/v1/instances/{Uri.EscapeDataString(muted)}/acknowledgement")).StatusCode);
        recorder.Clear();
        var silenced = _factory.Scalar("SELECT COUNT(*) FROM instance_states WHERE IsFailing AND InstanceKey LIKE 'k8s/total-b/%'");
        Assert.True(silenced > 0);
        Assert.Equal(failing - silenced, (await queries.FailingAsync(new FailingFilter(), FailingSort.LastFailure, descending: true, 0, 50, default)).Total);
        Assert.Contains(recorder.Commands, c => c.Contains("COUNT(", StringComparison.Ordinal));
    }

    private static async Task<string> FailingInstanceAsync(HttpClient api, string cluster)
    {
        var result = await api.PostOkAsync($"/api/v1/container-exits?cluster={cluster}", Samples.Read("k8s/pod-evicted-memory-pressure.json"));
        return result.GetProperty("records").EnumerateArray().First(r => r.GetProperty("category").GetString() == "container.evicted").GetProperty("instance").GetString()!;
    }

    /// <summary>The commands a context sends and how often it opens its connection.</summary>
    private sealed class Recorder : DbCommandInterceptor, IDbConnectionInterceptor
    {
        private readonly List<string> _commands = [];
        private int _opened;

        public IReadOnlyList<string> Commands
        {
            get { lock (_commands) return [.. _commands]; }
        }

        public int Opened => Volatile.Read(ref _opened);

        public void Clear()
        {
            lock (_commands) _commands.Clear();
            Volatile.Write(ref _opened, 0);
        }

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
        {
            lock (_commands) _commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
            InterceptionResult<object> result, CancellationToken cancellationToken = default)
        {
            lock (_commands) _commands.Add(command.CommandText);
            return ValueTask.FromResult(result);
        }

        public Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _opened);
            return Task.CompletedTask;
        }
    }
}
