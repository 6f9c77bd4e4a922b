using System.Diagnostics;
using System.Net.Sockets;
using OpsConsole.Tests.Infrastructure;
using RabbitMQ.Client;

namespace OpsConsole.Tests.Sources.Nova;

/// <summary>
/// A throwaway RabbitMQ (Debian's rabbitmq-server) on free loopback ports, its files in a temp folder. Its
/// Erlang port mapper gets a port of its own too, so stopping by pid stops only what this fixture started.
/// </summary>
public sealed class RabbitBroker : IAsyncLifetime
{
    public const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-rabbit", Guid.NewGuid().ToString("n"));
    private readonly int _epmdPort = ConsoleProcess.FreePort();
    private Process? _process;

    public int Port { get; } = ConsoleProcess.FreePort();
    public string Amqp => $"amqp://guest:guest@127.0.0.1:{Port}/";

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        await File.WriteAllTextAsync(Path.Combine(_directory, "plugins"), "[].");
        var root = Environment.UserName == "root";
        if (root) Run("chown", "-R", "rabbitmq", _directory);

        var environment = new Dictionary<string, string>
        {
            ["HOME"] = _directory,
            ["RABBITMQ_NODENAME"] = $"opsconsole{Port}@localhost",
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = ConsoleProcess.FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_PORT"] = _epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = _directory,
            ["RABBITMQ_LOG_BASE"] = _directory,
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(_directory, "plugins"),
        };
        // As root the server must run as its own user (it refuses files it does not own); otherwise as whoever runs the tests.
        var info = new ProcessStartInfo(root ? "runuser" : "env") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (root) foreach (var arg in new[] { "-u", "rabbitmq", "--", "env" }) info.ArgumentList.Add(arg);
        foreach (var (name, value) in environment) info.ArgumentList.Add($"{name}={value}");
        info.ArgumentList.Add(Server);
        _process = Process.Start(info)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var watch = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited) throw new InvalidOperationException($"rabbitmq-server exited with {_process.ExitCode}; see {_directory}");
            try
            {
                await using var connection = await new ConnectionFactory { Uri = new Uri(Amqp) }.CreateConnectionAsync();
                return;
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.BrokerUnreachableException or SocketException && watch.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(250);
            }
        }
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process?.Dispose();
        // The port mapper daemonises away from the tree; it is ours by the port it was started with.
        foreach (var pid in ProcessesWithEnvironment($"ERL_EPMD_PORT={_epmdPort}"))
        {
            try { Process.GetProcessById(pid).Kill(); } catch (ArgumentException) { } catch (InvalidOperationException) { }
        }
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static IEnumerable<int> ProcessesWithEnvironment(string entry)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            string environ;
            try { environ = File.ReadAllText(Path.Combine(dir, "environ")); }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { continue; }
            if (environ.Split('\0').Contains(entry)) yield return pid;
        }
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { UseShellExecute = false })!;
        process.WaitForExit();
    }

    /// <summary>Publishes one message to a topic exchange, as Nova's notifier does.</summary>
    public async Task PublishAsync(string exchange, string routingKey, string body)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(Amqp) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, new BasicProperties { ContentType = "application/json" },
            System.Text.Encoding.UTF8.GetBytes(body));
    }

    /// <summary>Messages ready in a queue (unacknowledged ones count once their consumer is gone).</summary>
    public async Task<uint> ReadyAsync(string queue)
    {
        await using var connection = await new ConnectionFactory { Uri = new Uri(Amqp) }.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }
}

/// <summary>A test that needs rabbitmq-server; skipped only where it is not installed (.ci/run installs it).</summary>
public sealed class RabbitFactAttribute : FactAttribute
{
    public RabbitFactAttribute()
    {
        if (!File.Exists(RabbitBroker.Server)) Skip = $"{RabbitBroker.Server} is not installed (apt-get install rabbitmq-server)";
    }
}
