using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using OpsConsole.Tests.Corpus;
using OpsConsole.Tests.Infrastructure;
using YamlDotNet.RepresentationModel;

namespace OpsConsole.Tests.Sources.Kubernetes;

/// <summary>
/// README's kubernetes-event-exporter snippet, taken as written: its keys are the exporter's own config keys
/// (resmoio/kubernetes-event-exporter pkg/exporter/config.go, route.go, rule.go, pkg/sinks/receiver.go, webhook.go),
/// and what the exporter's webhook sink then sends — a POST of the EnhancedEvent as encoding/json marshals it,
/// Content-Type application/json and the configured headers — is stored by a running console under the
/// snippet's clusterName and classified.
/// </summary>
[Collection(ConsoleProcess.Collection)]
public sealed class EventExporterReadmeTests
{
    // The YAML keys the exporter reads (Go yaml: a field's tag, or its name in lower case).
    private static readonly string[] ConfigKeys = ["logLevel", "logFormat", "throttlePeriod", "maxEventAgeSeconds", "clusterName", "namespace", "leaderElection", "route", "receivers", "kubeQPS", "kubeBurst", "kubeconfig"];
    private static readonly string[] RouteKeys = ["drop", "match", "routes"];
    private static readonly string[] RuleKeys = ["labels", "annotations", "message", "apiVersion", "kind", "namespace", "reason", "type", "minCount", "component", "host", "receiver"];
    private static readonly string[] WebhookKeys = ["endpoint", "tls", "layout", "headers"];

    [Fact]
    public async Task The_readme_snippet_uses_the_exporters_keys_and_its_webhook_posts_are_stored_under_clusterName()
    {
        var config = Snippet();
        Assert.All(Keys(config), key => Assert.Contains(key, ConfigKeys));
        var clusterName = Scalar(config, "clusterName");

        // Every route's match rules name a receiver the config defines, and that receiver is a webhook.
        var routes = (YamlSequenceNode)((YamlMappingNode)config["route"])["routes"];
        var receivers = ((YamlSequenceNode)config["receivers"]).Cast<YamlMappingNode>().ToDictionary(r => Scalar(r, "name"));
        YamlMappingNode? webhook = null;
        foreach (var route in routes.Cast<YamlMappingNode>())
        {
            Assert.All(Keys(route), key => Assert.Contains(key, RouteKeys));
            foreach (var rule in ((YamlSequenceNode)route["match"]).Cast<YamlMappingNode>())
            {
                Assert.All(Keys(rule), key => Assert.Contains(key, RuleKeys));
                Assert.True(receivers.TryGetValue(Scalar(rule, "receiver"), out var receiver), $"the route names receiver '{Scalar(rule, "receiver")}', which the config does not define");
                webhook = (YamlMappingNode)receiver["webhook"];
            }
        }
        Assert.NotNull(webhook);
        Assert.All(Keys(webhook), key => Assert.Contains(key, WebhookKeys));
        // Without a layout the sink posts the event itself (serializeEventWithLayout → EnhancedEvent.ToJSON).
        Assert.DoesNotContain("layout", Keys(webhook));
        var endpoint = new Uri(Scalar(webhook, "endpoint"));
        var headers = ((YamlMappingNode)webhook["headers"]).Children.ToDictionary(h => ((YamlScalarNode)h.Key).Value!, h => ((YamlScalarNode)h.Value).Value!);
        Assert.Equal("<your key>", headers["X-Api-Key"]);

        var directory = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("n"));
        Directory.CreateDirectory(directory);
        await using var console = ConsoleProcess.Start(Path.Combine(directory, "ops.db"), OpsConsoleFactory.ApiKey);
        await console.WaitHealthyAsync(TimeSpan.FromSeconds(90));

        // The exporter's request: its endpoint's path on this console, its headers (the operator's key in place of
        // the placeholder), Content-Type application/json, Go's user agent, the event marshalled compactly.
        var exporterEvent = JsonNode.Parse(CorpusPayloads.Named("kubernetes/event-exporter-webhook-backoff-crashloop.json").Read())!;
        exporterEvent["clusterName"] = clusterName;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(console.BaseAddress, endpoint.PathAndQuery))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(exporterEvent.ToJsonString())),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in headers) request.Headers.Add(name, value.Replace("<your key>", OpsConsoleFactory.ApiKey, StringComparison.Ordinal));
        request.Headers.UserAgent.ParseAdd("Go-http-client/1.1");
        using var http = console.CreateClient();
        using var response = await http.SendAsync(request);
        var result = await response.ReadJsonAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        using var api = console.CreateClient(OpsConsoleFactory.ApiKey);
        var record = Assert.Single(await api.ReadRecordsAsync(result));
        Assert.Equal($"k8s/{clusterName}/prod/inventory-799bc6c8f9-kvbzh/inventory", record.GetProperty("instance").GetString());
        Assert.Equal("restart.crash-loop", record.GetProperty("category").GetString());
        Assert.NotEqual("fallback-unknown", record.GetProperty("ruleId").GetString());
    }

    /// <summary>The YAML block after README's "kubernetes-event-exporter." paragraph.</summary>
    private static YamlMappingNode Snippet()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var paragraph = readme.IndexOf("**kubernetes-event-exporter.**", StringComparison.Ordinal);
        Assert.True(paragraph >= 0, "README has no kubernetes-event-exporter paragraph");
        var start = readme.IndexOf("```yaml\n", paragraph, StringComparison.Ordinal) + "```yaml\n".Length;
        var end = readme.IndexOf("```", start, StringComparison.Ordinal);
        var yaml = new YamlStream();
        yaml.Load(new StringReader(readme[start..end]));
        return (YamlMappingNode)yaml.Documents.Single().RootNode;
    }

    private static IEnumerable<string> Keys(YamlMappingNode node) => node.Children.Keys.Select(k => ((YamlScalarNode)k).Value!);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
