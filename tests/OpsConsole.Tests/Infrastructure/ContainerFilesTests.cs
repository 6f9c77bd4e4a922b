using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using YamlDotNet.RepresentationModel;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>No container engine here: the Dockerfile and compose file are checked against the app by parsing them.</summary>
public sealed class ContainerFilesTests
{
    private static readonly YamlMappingNode Service = LoadService();
    private static readonly string[] Dockerfile = File.ReadAllLines(Path.Combine(Repository.Root, "Dockerfile"));
    private static readonly IConfiguration AppSettings =
        new ConfigurationBuilder().AddJsonFile(Path.Combine(Repository.Root, "appsettings.json")).Build();

    [Fact]
    public void Compose_publishes_the_port_the_app_listens_on()
    {
        var ports = ((YamlSequenceNode)Service["ports"]).Select(p => p.ToString()).ToList();
        var appPort = new Uri(AppSettings["Urls"]!).Port;
        Assert.Contains($"{appPort}:{appPort}", ports);
        Assert.Contains(Dockerfile, l => l.Trim() == $"EXPOSE {appPort}");
        Assert.Contains(Dockerfile, l => l.Contains($"Urls=http://+:{appPort}", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_healthcheck_probes_the_liveness_endpoint_through_the_app()
    {
        var test = ((YamlSequenceNode)((YamlMappingNode)Service["healthcheck"])["test"]).Select(n => n.ToString()).ToList();
        Assert.Equal(["CMD", "dotnet", "OpsConsole.dll", "healthcheck"], test.Take(4));
        Assert.EndsWith("/healthz", test[4]);
        Assert.Contains(Dockerfile, l => l.Contains("\"healthcheck\", \"http://127.0.0.1:5080/healthz\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Compose_variables_are_configuration_keys_the_app_reads()
    {
        var names = ((YamlMappingNode)Service["environment"]).Children.Keys.Select(k => k.ToString()).ToList();
        Assert.Contains("ConnectionStrings__OpsConsole", names);
        Assert.Contains("Ingestion__ApiKeys__0", names);
        AssertBindsToSettings(names);
    }

    [Fact]
    public void The_multi_node_file_runs_two_consoles_on_its_postgres_behind_a_sticky_proxy()
    {
        var services = LoadServices(Path.Combine(Repository.Root, "deploy", "compose.multinode.yml"));
        var consoles = services.Where(s => ((YamlMappingNode)s.Value).Children.TryGetValue("image", out var image) && image.ToString() == "opsconsole:latest")
            .ToDictionary(s => s.Key.ToString(), s => (YamlMappingNode)s.Value);
        Assert.Equal(2, consoles.Count);
        var appPort = new Uri(AppSettings["Urls"]!).Port;
        foreach (var (_, console) in consoles)
        {
            var environment = (YamlMappingNode)console["environment"];
            Assert.Equal("Postgres", environment["Database__Provider"].ToString());
            var database = new Npgsql.NpgsqlConnectionStringBuilder(environment["ConnectionStrings__OpsConsole"].ToString());
            Assert.Equal("postgres:15", ((YamlMappingNode)services[database.Host!])["image"].ToString());
            Assert.Equal("opsconsole", database.Database);
            Assert.Contains("Ingestion__ApiKeys__0", environment.Children.Keys.Select(k => k.ToString()));
            AssertBindsToSettings(environment.Children.Keys.Select(k => k.ToString()));
            // Browsers reach the nodes only through the proxy, which keeps each on one node.
            Assert.False(console.Children.ContainsKey("ports"));
        }

        var proxy = (YamlMappingNode)services["proxy"];
        Assert.Equal(["8080:8080"], ((YamlSequenceNode)proxy["ports"]).Select(p => p.ToString()));
        var mount = ((YamlSequenceNode)proxy["volumes"]).Single().ToString().Split(':');
        var caddyfile = File.ReadAllText(Path.Combine(Repository.Root, "deploy", mount[0]));
        Assert.Equal("/etc/caddy/Caddyfile", mount[1]);
        var upstreams = System.Text.RegularExpressions.Regex.Match(caddyfile, @"reverse_proxy ([^{]+)\{").Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(consoles.Keys.Select(name => $"{name}:{appPort}").Order(), upstreams.Order());
        Assert.Contains("lb_policy cookie", caddyfile);
        Assert.Contains("health_uri /healthz", caddyfile);
    }

    private static void AssertBindsToSettings(IEnumerable<string> names)
    {
        foreach (var name in names)
        {
            var section = string.Join(':', name.Split("__").SkipLast(name.EndsWith("__0", StringComparison.Ordinal) ? 1 : 0));
            var parent = section.Contains(':') ? section[..section.LastIndexOf(':')] : section;
            Assert.True(AppSettings.GetSection(parent).Exists() || name.StartsWith("OpsConsole__", StringComparison.Ordinal),
                $"{name} does not bind to any section of appsettings.json");
        }
    }

    [Fact]
    public void The_database_lives_on_the_volume()
    {
        var environment = (YamlMappingNode)Service["environment"];
        var dataSource = new SqliteConnectionStringBuilder(environment["ConnectionStrings__OpsConsole"].ToString()).DataSource;
        var volume = ((YamlSequenceNode)Service["volumes"]).Select(v => v.ToString()).Single();
        var mountPath = volume.Split(':')[1];
        Assert.StartsWith(mountPath + "/", dataSource);
        Assert.Contains(Dockerfile, l => l.Trim() == $"VOLUME {mountPath}");
        Assert.Contains(Dockerfile, l => l.Contains($"chown app:app {mountPath}", StringComparison.Ordinal));
    }

    [Fact]
    public void The_image_is_multi_stage_and_runs_as_a_non_root_user()
    {
        Assert.True(Dockerfile.Count(l => l.StartsWith("FROM ", StringComparison.Ordinal)) >= 2);
        var user = Dockerfile.Last(l => l.StartsWith("USER ", StringComparison.Ordinal));
        Assert.NotEqual("USER root", user.Trim());
        Assert.Contains(Dockerfile, l => l.StartsWith("COPY --from=build", StringComparison.Ordinal));
        Assert.Contains(Dockerfile, l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal) && l.Contains("OpsConsole.dll", StringComparison.Ordinal));
    }

    private static YamlMappingNode LoadService() =>
        (YamlMappingNode)LoadServices(Path.Combine(Repository.Root, "docker-compose.yml"))["opsconsole"];

    private static YamlMappingNode LoadServices(string path)
    {
        var yaml = new YamlStream();
        using var reader = new StreamReader(path);
        yaml.Load(reader);
        return (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }
}
