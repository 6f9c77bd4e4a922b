using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace OpsConsole.Tests.Data.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster (Debian's binaries, 15 on these machines): <c>initdb</c> into a temp folder, a postmaster on a free
/// loopback port with its socket in that folder, trust authentication (nothing but loopback can reach it), no fsync
/// (a test cluster needs no durability). As root the server runs as the <c>postgres</c> user, which owns the folder.
/// Stopped by the postmaster's pid; a cluster left behind by a killed run is stopped by the next one.
/// <see cref="StartKeptAsync"/> makes one that stays on disk between runs (a benchmark's store).
/// </summary>
public sealed class PostgresCluster : IAsyncDisposable
{
    private const string Versions = "/usr/lib/postgresql";

    /// <summary>The newest installed major version's binaries: Debian puts each under its own number.</summary>
    public static readonly string BinDirectory =
        (Directory.Exists(Versions) ? Directory.GetDirectories(Versions) : [])
        .Where(version => File.Exists(Path.Combine(version, "bin", "initdb")))
        .OrderByDescending(version => int.TryParse(Path.GetFileName(version), CultureInfo.InvariantCulture, out var major) ? major : 0)
        .Select(version => Path.Combine(version, "bin"))
        .FirstOrDefault() ?? Path.Combine(Versions, "15", "bin");
    public static string InitDb => Path.Combine(BinDirectory, "initdb");
    public static bool Installed => File.Exists(InitDb);

    private static readonly string Parent = Path.Combine(Path.GetTempPath(), "opsconsole-pg");
    private static readonly bool AsRoot = Environment.UserName == "root";
    private const string OwnerFile = "owner.pid";

    private readonly string _directory;
    private readonly bool _kept;
    private int _postmaster;

    private PostgresCluster(string directory, int port, bool kept = false)
    {
        _directory = directory;
        Port = port;
        _kept = kept;
    }

    public int Port { get; }

    /// <summary>A connection string for <paramref name="database"/> on this cluster, as the superuser.</summary>
    public string ConnectionString(string database = "postgres") =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database }.ConnectionString;

    /// <summary>Makes a cluster and starts it; <paramref name="settings"/> are extra server settings (name → value).</summary>
    public static async Task<PostgresCluster> StartAsync(IReadOnlyDictionary<string, string>? settings = null)
    {
        if (!Installed) throw new InvalidOperationException($"{InitDb} is missing: apt-get install postgresql");
        StopAbandoned();
        var directory = Path.Combine(Parent, Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, OwnerFile), Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (AsRoot) Run("chown", "postgres:postgres", directory);
        var cluster = new PostgresCluster(directory, FreePort());
        try
        {
            InitDbInto(Path.Combine(directory, "data"));
            return cluster.Launch(settings);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A cluster kept in <paramref name="directory"/> across runs: made by <c>initdb</c> the first time, started again on
    /// its data after; disposing stops it by pid and leaves it on disk. A postmaster a killed run left running there is
    /// stopped first (it holds the data folder). Whoever keeps it deletes the folder.
    /// </summary>
    public static async Task<PostgresCluster> StartKeptAsync(string directory, IReadOnlyDictionary<string, string>? settings = null)
    {
        if (!Installed) throw new InvalidOperationException($"{InitDb} is missing: apt-get install postgresql");
        var data = Path.Combine(directory, "data");
        if (ReadPostmasterPid(data) is { } left && IsPostmaster(left)) await StopAsync(left);
        Directory.CreateDirectory(directory);
        if (AsRoot) Run("chown", "postgres:postgres", directory);
        if (!Directory.Exists(data))
        {
            // Made aside and renamed: an initdb cut short leaves no half-made data folder to start on.
            var making = data + ".new";
            if (Directory.Exists(making)) Directory.Delete(making, recursive: true);
            InitDbInto(making);
            Directory.Move(making, data);
        }
        var cluster = new PostgresCluster(directory, FreePort(), kept: true);
        try
        {
            return cluster.Launch(settings);
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    private static void InitDbInto(string data) =>
        AsServerUser(InitDb, "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");

    /// <summary>Starts the postmaster on this cluster's data folder and port; waits until it accepts connections.</summary>
    private PostgresCluster Launch(IReadOnlyDictionary<string, string>? settings)
    {
        var data = Path.Combine(_directory, "data");
        var options = new Dictionary<string, string>
        {
            ["listen_addresses"] = "127.0.0.1",
            ["fsync"] = "off",
            ["synchronous_commit"] = "off",
            ["full_page_writes"] = "off",
            ["max_connections"] = "300",
        };
        foreach (var (name, value) in settings ?? new Dictionary<string, string>()) options[name] = value;
        var serverOptions = $"-p {Port} -k {_directory} " + string.Join(' ', options.Select(o => $"-c {o.Key}={o.Value}"));
        AsServerUser(Path.Combine(BinDirectory, "pg_ctl"), "-D", data, "-l", Path.Combine(_directory, "server.log"), "-o", serverOptions, "-w", "-t", "60", "start");
        _postmaster = ReadPostmasterPid(data)
            ?? throw new InvalidOperationException($"PostgreSQL started without a postmaster.pid; see {_directory}/server.log");
        return this;
    }

    /// <summary>Creates an empty database (a fresh one per test class) and gives its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return ConnectionString(name);
    }

    /// <summary>Drops a database, closing whatever connections a test's pools still hold to it.</summary>
    public async Task DropDatabaseAsync(string name)
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_postmaster > 0) await StopAsync(_postmaster);
        _postmaster = 0;
        if (!_kept) TryDelete(_directory);
    }

    /// <summary>
    /// Fast shutdown without waiting, for a process that is about to end: a detached shell removes the folder once the
    /// postmaster has removed its pid file (the next run's <see cref="StopAbandoned"/> catches anything left).
    /// </summary>
    public void StopOnExit()
    {
        if (_postmaster <= 0 || !Alive(_postmaster)) return;
        Run("kill", "-INT", _postmaster.ToString(CultureInfo.InvariantCulture));
        _postmaster = 0;
        var pidFile = Path.Combine(_directory, "data", "postmaster.pid");
        using var _ = Process.Start(new ProcessStartInfo("setsid",
            ["sh", "-c", $"for i in $(seq 300); do [ -e '{pidFile}' ] || break; sleep 0.1; done; rm -rf '{_directory}'"]) { UseShellExecute = false });
    }

    /// <summary>Fast shutdown of our postmaster by its pid (SIGINT: it ends its backends and exits), waiting for it to go.</summary>
    private static async Task StopAsync(int pid)
    {
        if (!Alive(pid)) return;
        Run("kill", "-INT", pid.ToString(CultureInfo.InvariantCulture));
        var watch = Stopwatch.StartNew();
        while (Alive(pid) && watch.Elapsed < TimeSpan.FromSeconds(20)) await Task.Delay(50);
        if (Alive(pid)) Run("kill", "-KILL", pid.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Clusters whose test process is gone (killed before it could stop them) are stopped and removed.</summary>
    private static void StopAbandoned()
    {
        if (!Directory.Exists(Parent)) return;
        foreach (var directory in Directory.EnumerateDirectories(Parent))
        {
            var owner = Path.Combine(directory, OwnerFile);
            if (!File.Exists(owner) || !int.TryParse(File.ReadAllText(owner), out var ownerPid) || Alive(ownerPid)) continue;
            if (ReadPostmasterPid(Path.Combine(directory, "data")) is { } pid && IsPostmaster(pid))
                StopAsync(pid).GetAwaiter().GetResult();
            TryDelete(directory);
        }
    }

    private static int? ReadPostmasterPid(string data)
    {
        var file = Path.Combine(data, "postmaster.pid");
        if (!File.Exists(file)) return null;
        return int.TryParse(File.ReadLines(file).FirstOrDefault(), out var pid) ? pid : null;
    }

    /// <summary>Running, not a zombie: an exited postmaster is reparented away from us and may wait a while to be reaped.</summary>
    private static bool Alive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].FirstOrDefault() is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool IsPostmaster(int pid)
    {
        try { return File.ReadAllText($"/proc/{pid}/comm").Trim() is "postgres" or "postmaster"; }
        catch (IOException) { return false; }
    }

    private static void TryDelete(string directory)
    {
        try { Directory.Delete(directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>PostgreSQL refuses to run as root; as root its tools run as the postgres user.</summary>
    private static void AsServerUser(string program, params string[] args)
    {
        if (AsRoot) Run("runuser", ["-u", "postgres", "--", program, .. args]);
        else Run(program, args);
    }

    private static void Run(string program, params string[] args)
    {
        var info = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args) info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} exited with {process.ExitCode}: {error.Result}{output.Result}");
    }
}
