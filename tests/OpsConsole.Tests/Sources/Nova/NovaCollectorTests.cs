using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Collectors;
using OpsConsole.Tests.Features.Collectors;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>
/// <c>collect nova</c> against a real RabbitMQ carrying Nova's own notification samples (tests/corpus/nova,
/// provenance in its manifest.json), wrapped in the oslo.messaging envelope with a fresh message_id as Nova's
/// notifier sends them.
/// </summary>
public sealed class NovaCollectorTests : IClassFixture<RabbitBroker>, IDisposable
{
    private readonly RabbitBroker _broker;
    private readonly string _buffer = Path.Combine(Path.GetTempPath(), "opsconsole-collector", Guid.NewGuid().ToString("n"));
    private readonly string _queue = $"opsconsole-test-{Guid.NewGuid():n}";

    public NovaCollectorTests(RabbitBroker broker) => _broker = broker;

    /// <summary>A corpus notification as it travels on the bus: message_id and timestamp added, inside the oslo envelope.</summary>
    public static string OnTheBus(string corpusFile, string messageId, string? instance = null)
    {
        var notification = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "tests", "corpus", "nova", corpusFile)))!.AsObject();
        notification["message_id"] = messageId;
        notification["timestamp"] = "2026-11-27 03:00:00.000000";
        if (instance is not null && notification["payload"]?["nova_object.data"] is JsonObject data)
        {
            if (data.ContainsKey("uuid")) data["uuid"] = instance;
            else data["instance_uuid"] = instance;
        }
        return new JsonObject { ["oslo.version"] = "2.0", ["oslo.message"] = notification.ToJsonString() }.ToJsonString();
    }

    private string[] Command(Uri console, params string[] extra) =>
    [
        "nova", "--console", console.ToString(), "--key", OpsConsoleFactory.ApiKey, "--amqp", _broker.Amqp,
        "--exchange", "nova", "--topics", "versioned_notifications.error,versioned_notifications.info",
        "--cloud", "devstack", "--amqp-queue", _queue, "--buffer", _buffer, "--retry-max", "00:00:01", .. extra,
    ];

    [RabbitFact]
    public async Task Notifications_reach_the_console_once_and_are_acknowledged_only_after_it_accepted_them()
    {
        using var console = new KestrelConsole();
        await using var collector = CollectorProcess.Start(Command(console.Address, "--name", "nova-devstack"));
        await collector.WaitForOutputAsync("Consuming", TimeSpan.FromSeconds(60));

        await _broker.PublishAsync("nova", "versioned_notifications.error", OnTheBus("notification-compute-task-build-instances-error-novalidhost.json", "m-1"));
        await _broker.PublishAsync("nova", "versioned_notifications.error", OnTheBus("notification-instance-create-error-flavor-disk-too-small.json", "m-2"));
        await _broker.PublishAsync("nova", "versioned_notifications.error", OnTheBus("notification-instance-volume-attach-error-cinder.json", "m-3"));
        await _broker.PublishAsync("nova", "versioned_notifications.info", OnTheBus("notification-instance-create-end.json", "m-4"));
        // The oslo envelope exactly as the corpus has it, a service notification, and a body no parser takes.
        await _broker.PublishAsync("nova", "versioned_notifications.error", File.ReadAllText(Path.Combine(Repository.Root, "tests/corpus/nova/notification-oslo-envelope-build-instances-error.json")));
        await _broker.PublishAsync("nova", "versioned_notifications.info", OnTheBus("notification-service-update-up.json", "m-6"));
        await _broker.PublishAsync("nova", "versioned_notifications.info", "not json");
        // A topic the collector did not bind is never delivered to it.
        await _broker.PublishAsync("nova", "notifications.info", OnTheBus("notification-instance-update.json", "m-7"));

        var health = await collector.WaitHealthAsync(h => h.GetProperty("itemsSent").GetInt64() == 6, TimeSpan.FromSeconds(60));
        Assert.Equal(0, health.GetProperty("backlog").GetInt32());
        Assert.Equal("ok", health.GetProperty("status").GetString());

        using var http = console.CreateNetworkClient();
        var records = (await (await http.GetAsync("/api/v1/records?source=nova&limit=50")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(6, records.Count);
        Assert.All(records, r => Assert.StartsWith("nova/devstack/", r.GetProperty("instance").GetString()));
        Assert.Equal(2, records.Count(r => r.GetProperty("category").GetString() == "vm.schedule.no-valid-host"));
        Assert.Equal(["CinderConnectionFailed", "FlavorDiskTooSmall", "NoValidHost", "NoValidHost"],
            records.Select(r => r.GetProperty("errorCode").GetString()).OfType<string>().Order());

        // The console knows the collector by the headers on its batches.
        var known = console.Services.GetRequiredService<CollectorContacts>().Summaries().Single(c => c.Name == "nova-devstack");
        Assert.Equal("nova", known.Source);
        Assert.Equal(6, known.Items);
        Assert.False(known.IsSilent);
        Assert.Contains("opsconsole_collector_items_dropped_total{collector=\"nova-devstack\",reason=\"unparsable\"} 1", await collector.MetricsAsync());

        // Everything was acknowledged or rejected: once the consumer is gone, nothing comes back to the queue.
        collector.Crash();
        Assert.Equal(0u, await _broker.ReadyAsync(_queue));
    }

    [RabbitFact]
    public async Task A_console_that_is_down_loses_nothing_and_stores_every_notification_once()
    {
        var database = Path.Combine(_buffer, "console", "ops.db");
        var port = ConsoleProcess.FreePort();
        var consoleUri = new Uri($"http://127.0.0.1:{port}");
        await using var collector = CollectorProcess.Start(Command(consoleUri, "--name", "nova-restart"));
        var first = ConsoleProcess.Start(database, OpsConsoleFactory.ApiKey, port);
        await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await collector.WaitForOutputAsync("Consuming", TimeSpan.FromSeconds(60));

        var files = new[]
        {
            "notification-compute-task-build-instances-error-novalidhost.json", "notification-instance-create-error-flavor-disk-too-small.json",
            "notification-instance-volume-attach-error-cinder.json", "notification-instance-create-end.json",
        };
        var sent = 0;
        async Task PublishAsync(int count)
        {
            for (var i = 0; i < count; i++, sent++)
                await _broker.PublishAsync("nova", "versioned_notifications.error", OnTheBus(files[sent % files.Length], $"restart-{sent}", Guid.NewGuid().ToString()));
        }

        await PublishAsync(10);
        await collector.WaitHealthAsync(h => h.GetProperty("itemsSent").GetInt64() == 10, TimeSpan.FromSeconds(60));
        first.Crash();
        await first.DisposeAsync();

        // The console is gone: the collector keeps taking notifications, buffers them and reports the failure.
        await PublishAsync(15);
        var down = await collector.WaitHealthAsync(h => h.GetProperty("status").GetString() == "degraded" && h.GetProperty("backlog").GetInt32() == 15, TimeSpan.FromSeconds(60));
        Assert.Contains("unreachable", down.GetProperty("lastError").GetString());

        await using var second = ConsoleProcess.Start(database, OpsConsoleFactory.ApiKey, port);
        await second.WaitHealthyAsync(TimeSpan.FromSeconds(120));
        await PublishAsync(5);
        await collector.WaitHealthAsync(h => h.GetProperty("itemsSent").GetInt64() == 30 && h.GetProperty("backlog").GetInt32() == 0, TimeSpan.FromSeconds(60));

        var ids = new List<string>();
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT RawJson FROM records WHERE Source = 'nova'";
            using var reader = command.ExecuteReader();
            while (reader.Read()) ids.Add(JsonDocument.Parse(reader.GetString(0)).RootElement.GetProperty("message_id").GetString()!);
        }
        Assert.Equal(30, ids.Count);
        Assert.Equal(Enumerable.Range(0, 30).Select(i => $"restart-{i}").Order(), ids.Order());
    }

    public void Dispose()
    {
        try { Directory.Delete(_buffer, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
