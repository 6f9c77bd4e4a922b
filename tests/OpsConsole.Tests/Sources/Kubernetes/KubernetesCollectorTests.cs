using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using OpsConsole.Tests.Features.Collectors;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.Tests.Sources.Kubernetes;

/// <summary>
/// <c>collect kubernetes</c> against an API server stand-in that replays the corpus objects (tests/corpus/kubernetes,
/// provenance in its manifest.json) in the real list/watch protocol: chunked WatchEvent lines, resourceVersions,
/// a dropped watch, and a 410 Gone that forces a relist.
/// </summary>
public sealed class KubernetesCollectorTests : IDisposable
{
    private const string Token = "collector-sa-token";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-collector", Guid.NewGuid().ToString("n"));

    public KubernetesCollectorTests() => Directory.CreateDirectory(_directory);

    private static JsonObject Corpus(string file) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(Repository.Root, "tests", "corpus", "kubernetes", file)))!.AsObject();

    private static string List(string kind, string resourceVersion, IEnumerable<JsonNode> items) =>
        new JsonObject
        {
            ["kind"] = kind, ["apiVersion"] = "v1", ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion },
            ["items"] = new JsonArray(items.Select(i => i.DeepClone()).ToArray()),
        }.ToJsonString();

    private static string Watch(string type, JsonNode item) => new JsonObject { ["type"] = type, ["object"] = item.DeepClone() }.ToJsonString();

    /// <summary>The Status an API server sends on a watch whose resourceVersion was compacted away.</summary>
    private static string Gone(string version) => Watch("ERROR", new JsonObject
    {
        ["kind"] = "Status", ["apiVersion"] = "v1", ["metadata"] = new JsonObject(), ["status"] = "Failure",
        ["message"] = $"too old resource version: {version} (2000)", ["reason"] = "Expired", ["code"] = 410,
    });

    /// <summary>The watch objects of `kubectl get events --watch -o json` (pretty-printed one after another), one per line.</summary>
    private static List<string> KubectlWatchStream()
    {
        var text = File.ReadAllText(Path.Combine(Repository.Root, "tests", "corpus", "kubernetes", "watch-events-kubectl-json-stream.json"));
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { AllowMultipleValues = true });
        var lines = new List<string>();
        while (reader.Read())
        {
            using var document = JsonDocument.ParseValue(ref reader);
            lines.Add(JsonSerializer.Serialize(document.RootElement));
        }
        return lines;
    }

    /// <summary>The (resource, verb) pairs deploy/kubernetes/clusterrole.yaml grants.</summary>
    private static List<(string Resource, string Verb)> GrantedByTheManifest()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kubernetes", "clusterrole.yaml"))));
        var role = yaml.Documents.Select(d => (YamlDotNet.RepresentationModel.YamlMappingNode)d.RootNode)
            .Single(d => d["kind"].ToString() == "ClusterRole");
        var granted = new List<(string, string)>();
        foreach (var rule in ((YamlDotNet.RepresentationModel.YamlSequenceNode)role["rules"]).Cast<YamlDotNet.RepresentationModel.YamlMappingNode>())
        {
            Assert.Equal([""], ((YamlDotNet.RepresentationModel.YamlSequenceNode)rule["apiGroups"]).Select(g => g.ToString()));
            foreach (var resource in (YamlDotNet.RepresentationModel.YamlSequenceNode)rule["resources"])
            foreach (var verb in (YamlDotNet.RepresentationModel.YamlSequenceNode)rule["verbs"])
                granted.Add((resource.ToString(), verb.ToString()));
        }
        return granted.Distinct().Order().ToList();
    }

    [Fact]
    public void The_deployment_runs_non_root_with_a_read_only_root_filesystem()
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        yaml.Load(new StringReader(File.ReadAllText(Path.Combine(Repository.Root, "deploy", "kubernetes", "deployment.yaml"))));
        var pod = (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode["spec"])["template"])["spec"];
        Assert.Equal("true", pod["securityContext"]["runAsNonRoot"].ToString());
        Assert.Equal("opsconsole-collector", pod["serviceAccountName"].ToString());
        var container = (YamlDotNet.RepresentationModel.YamlMappingNode)((YamlDotNet.RepresentationModel.YamlSequenceNode)pod["containers"])[0];
        Assert.Equal("true", container["securityContext"]["readOnlyRootFilesystem"].ToString());
        Assert.Equal("false", container["securityContext"]["allowPrivilegeEscalation"].ToString());
        Assert.Equal(["collect", "kubernetes"], ((YamlDotNet.RepresentationModel.YamlSequenceNode)container["args"]).Take(2).Select(a => a.ToString()));
    }

    [Fact]
    public async Task Pods_and_warning_events_are_listed_watched_resumed_and_relisted_and_each_fact_is_sent_once()
    {
        var oom = Corpus("pod-crashloop-oomkilled-memory-demo-2.json");
        var pull = Corpus("pod-errimagepull-not-found.json");
        var evicted = Corpus("pod-evicted-ephemeral-storage.json");
        var events = Corpus("eventlist-probe-failures-killing-backoff.json")["items"]!.AsArray().Select(e => e!).ToList();
        var podLists = 0;
        var unauthorized = 0;

        await using var api = await ReplayServer.StartAsync(app =>
        {
            app.Use(async (context, next) =>
            {
                if (context.Request.Headers.Authorization != $"Bearer {Token}")
                {
                    Interlocked.Increment(ref unauthorized);
                    context.Response.StatusCode = 401;
                    return;
                }
                await next(context);
            });
            app.MapGet("/api/v1/pods", async context =>
            {
                var version = context.Request.Query["resourceVersion"].ToString();
                switch (context.Request.Query["watch"].ToString(), version)
                {
                    case ("true", "1000"):
                        // The same pod again (no new fact), then a new one; then the connection drops.
                        await ReplayServer.StreamLinesAsync(context, [Watch("MODIFIED", oom), Watch("ADDED", pull)], holdOpen: false);
                        break;
                    case ("true", "289094"):
                        await ReplayServer.StreamLinesAsync(context, [Gone(version)], holdOpen: false);
                        break;
                    case ("true", _):
                        await ReplayServer.StreamLinesAsync(context, [], holdOpen: true);
                        break;
                    default:
                        var first = Interlocked.Increment(ref podLists) == 1;
                        await context.Response.WriteAsync(first ? List("PodList", "1000", [oom]) : List("PodList", "2000", [oom, pull, evicted]));
                        break;
                }
            });
            app.MapGet("/api/v1/events", async context =>
            {
                if (context.Request.Query["watch"] == "true") await ReplayServer.StreamLinesAsync(context, KubectlWatchStream(), holdOpen: true);
                else await context.Response.WriteAsync(List("EventList", "3000", events));
            });
        });

        var kubeconfig = Path.Combine(_directory, "kubeconfig");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: replay
              cluster:
                server: {api.Address.ToString().TrimEnd('/')}
            users:
            - name: collector
              user:
                token: {Token}
            contexts:
            - name: replay
              context:
                cluster: replay
                user: collector
            current-context: replay
            """);

        using var console = new KestrelConsole();
        await using var collector = CollectorProcess.Start("kubernetes", "--console", console.Address.ToString(), "--key", OpsConsoleFactory.ApiKey,
            "--kubeconfig", kubeconfig, "--cluster", "replay", "--buffer", Path.Combine(_directory, "queue"));

        // 3 pods with failures (once each) + the 5 Warning events listed + the watched Warning at count 1 and at count 3.
        var health = await collector.WaitHealthAsync(h => h.GetProperty("itemsSent").GetInt64() >= 10, TimeSpan.FromSeconds(60));
        for (var i = 0; i < 100 && api.Requests.Count(r => r.Path == "/api/v1/pods") < 5; i++) await Task.Delay(100);
        var podRequests = api.Requests.Where(r => r.Path == "/api/v1/pods").Select(r => $"{r.Query["watch"]}@{r.Query["resourceVersion"]}").ToList();
        Assert.Equal(["false@", "true@1000", "true@289094", "false@", "true@2000"], podRequests.Take(5));
        Assert.Equal(10, health.GetProperty("itemsSent").GetInt64());
        Assert.Equal(0, unauthorized);

        // deploy/kubernetes grants exactly the verbs the collector used: list and watch, on pods and events.
        var used = api.Requests.Select(r => (Resource: r.Path.ToString().Split('/').Last(), Verb: r.Query["watch"] == "true" ? "watch" : "list"))
            .Distinct().Order().ToList();
        Assert.Equal(used, GrantedByTheManifest());

        using var http = console.CreateNetworkClient();
        var records = (await (await http.GetAsync("/api/v1/records?source=kubernetes&limit=200")).ReadJsonAsync()).GetProperty("items").EnumerateArray().ToList();
        Assert.All(records, r => Assert.StartsWith("k8s/replay/", r.GetProperty("instance").GetString()));
        Assert.Contains(records, r => r.GetProperty("category").GetString() == "exit.oom-killed");
        Assert.Contains(records, r => r.GetProperty("reason").GetString() == "Evicted");
        Assert.Contains(records, r => r.GetProperty("reason").GetString() == "ErrImagePull" || r.GetProperty("reason").GetString() == "ImagePullBackOff");
        Assert.DoesNotContain(records, r => r.GetProperty("reason").GetString() is "Killing" or "Pulled" or "Started");
        var watched = records.Single(r => r.GetProperty("instance").GetString()!.EndsWith("cart-6c5b4a39d-hj7k2/cart", StringComparison.Ordinal));
        Assert.Equal(3, watched.GetProperty("count").GetInt32());
    }

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
