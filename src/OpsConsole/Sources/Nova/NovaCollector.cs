using System.Text.Json;
using OpsConsole.Features.Collectors;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace OpsConsole.Sources.Nova;

/// <summary>Options of <c>collect nova</c> (and Collectors:&lt;name&gt; with Source nova).</summary>
public sealed class NovaCollectorOptions
{
    /// <summary>amqp://USER:PASS@HOST:PORT/VHOST of the broker Nova notifies on (transport_url).</summary>
    public string Amqp { get; set; } = "";

    /// <summary>oslo.messaging's control_exchange; Nova's is "nova".</summary>
    public string Exchange { get; set; } = "nova";

    /// <summary>Routing keys to bind: [notifications] topics plus the priority (…error, …info).</summary>
    public string Topics { get; set; } = "versioned_notifications.error,versioned_notifications.info";

    /// <summary>Declare exchange and queue durable, for deployments with amqp_durable_queues = true.</summary>
    public bool Durable { get; set; }

    /// <summary>This collector's own queue; it outlives a collector restart, so nothing published meanwhile is lost.</summary>
    public string? AmqpQueue { get; set; }

    /// <summary>The cloud name records are filed under (nova/&lt;cloud&gt;/&lt;server&gt;).</summary>
    public string Cloud { get; set; } = "default";

    /// <summary>Messages held unacknowledged at once: the most the collector has in flight.</summary>
    public ushort Prefetch { get; set; } = 200;
}

/// <summary>
/// Consumes Nova's versioned notifications from RabbitMQ. Declares the topic exchange as oslo.messaging does
/// (durable only with --durable, never auto-deleted) and a queue of its own bound to each topic, unwraps the
/// oslo envelope and acknowledges a message only once the console accepted it; a message the console's Nova
/// parser refuses is rejected without requeue so it cannot loop.
/// </summary>
public sealed class NovaCollector(NovaCollectorOptions options, ILogger logger) : ISourceCollector
{
    public static ISourceCollector Create(IConfiguration configuration, ILoggerFactory loggers)
    {
        var options = configuration.Get<NovaCollectorOptions>() ?? new NovaCollectorOptions();
        if (!Uri.TryCreate(options.Amqp, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
            throw new ArgumentException("collect nova needs --amqp amqp://USER:PASS@HOST:PORT/VHOST (Nova's transport_url)");
        if (options.Topics.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Length == 0)
            throw new ArgumentException("--topics must name at least one routing key, e.g. versioned_notifications.error");
        return new NovaCollector(options, loggers.CreateLogger<NovaCollector>());
    }

    private string QueueName => options.AmqpQueue is { Length: > 0 } q ? q : $"opsconsole-collector.{options.Cloud}";

    public async Task RunAsync(CollectorOutbox outbox, CancellationToken cancellationToken)
    {
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await ConsumeAsync(outbox, () => attempt = 0, cancellationToken);
            }
            catch (Exception ex) when (ex is BrokerUnreachableException or AlreadyClosedException or OperationInterruptedException or IOException
                                           && !cancellationToken.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt++)) * (0.5 + Random.Shared.NextDouble() / 2));
                logger.LogWarning("RabbitMQ connection lost or refused ({Error}); reconnecting in {Wait}", ex.Message, wait);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private async Task ConsumeAsync(CollectorOutbox outbox, Action connected, CancellationToken cancellationToken)
    {
        // Our own reconnect loop (not the client's recovery) so unacknowledged deliveries never outlive their channel.
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.Amqp),
            ClientProvidedName = "opsconsole-collector",
            AutomaticRecoveryEnabled = false,
        };
        await using var connection = await factory.CreateConnectionAsync(cancellationToken);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: cancellationToken);
        await channel.ExchangeDeclareAsync(options.Exchange, ExchangeType.Topic, durable: options.Durable, autoDelete: false, cancellationToken: cancellationToken);
        await channel.QueueDeclareAsync(QueueName, durable: options.Durable, exclusive: false, autoDelete: false, cancellationToken: cancellationToken);
        foreach (var topic in options.Topics.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            await channel.QueueBindAsync(QueueName, options.Exchange, topic, cancellationToken: cancellationToken);
        await channel.BasicQosAsync(0, options.Prefetch, global: false, cancellationToken);

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, _) =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(outbox, channel, delivery);
        await channel.BasicConsumeAsync(QueueName, autoAck: false, consumer, cancellationToken);
        connected();
        logger.LogInformation("Consuming {Topics} from exchange {Exchange} through queue {Queue}", options.Topics, options.Exchange, QueueName);

        await using (cancellationToken.Register(() => closed.TrySetCanceled(cancellationToken)))
            await closed.Task;
        throw new AlreadyClosedException(connection.CloseReason ?? new ShutdownEventArgs(ShutdownInitiator.Library, 0, "connection closed"));
    }

    private async Task OnDeliveryAsync(CollectorOutbox outbox, IChannel channel, BasicDeliverEventArgs delivery)
    {
        var tag = delivery.DeliveryTag;
        // A body that is not JSON goes to the parser as it is, which refuses and counts it.
        var notification = Unwrap(delivery.Body) ?? System.Text.Encoding.UTF8.GetString(delivery.Body.Span);
        if (outbox.Parse([notification], options.Cloud) is null)
        {
            await channel.BasicRejectAsync(tag, requeue: false);
            return;
        }
        outbox.Enqueue([notification], options.Cloud, () => _ = AcknowledgeAsync(channel, tag));
    }

    private async Task AcknowledgeAsync(IChannel channel, ulong tag)
    {
        try
        {
            await channel.BasicAckAsync(tag, multiple: false);
        }
        catch (Exception ex) when (ex is AlreadyClosedException or OperationInterruptedException or ObjectDisposedException)
        {
            // The channel went away after the console took the message: the broker redelivers it, the console ignores the duplicate.
            logger.LogDebug("Could not acknowledge delivery {Tag}: {Error}", tag, ex.Message);
        }
    }

    /// <summary>The notification inside oslo.messaging's envelope ({"oslo.version", "oslo.message": "&lt;json&gt;"}), or the body as it is.</summary>
    internal static string? Unwrap(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("oslo.message", out var inner) && inner.ValueKind == JsonValueKind.String)
            {
                using var notification = JsonDocument.Parse(inner.GetString()!);
                return CollectorOutbox.Compact(notification.RootElement);
            }
            return CollectorOutbox.Compact(root);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
