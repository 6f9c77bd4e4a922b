using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using OpsConsole.Features.Collectors;

namespace OpsConsole.Sources.Kubernetes;

/// <summary>Options of <c>collect kubernetes</c> (and Collectors:&lt;name&gt; with Source kubernetes).</summary>
public sealed class KubernetesCollectorOptions
{
    /// <summary>A kubeconfig file; without it the in-cluster service account, else $KUBECONFIG or ~/.kube/config.</summary>
    public string? Kubeconfig { get; set; }

    /// <summary>The kubeconfig context to use; its current context when empty.</summary>
    public string? Context { get; set; }

    /// <summary>Watch one namespace only (a Role then suffices); cluster-wide when empty.</summary>
    public string? Namespace { get; set; }

    /// <summary>The cluster name records are filed under (k8s/&lt;cluster&gt;/…).</summary>
    public string Cluster { get; set; } = "default";

    /// <summary>How long the API server keeps one watch open before the collector resumes it.</summary>
    public int WatchSeconds { get; set; } = 300;
}

/// <summary>
/// Lists, then watches, Pods and Events (cluster-wide or in one namespace) with the official client. A watch
/// that ends or breaks resumes from the last resourceVersion seen; a 410 Gone (the version was compacted)
/// relists. Each object goes through the console's Kubernetes parser and is sent only when it states a fact
/// not sent before: a container termination, a waiting reason, a pod-level failure, or a Warning event (or
/// a new count of one). The API verbs used are exactly list and watch on pods and events.
/// </summary>
public sealed class KubernetesCollector(IKubernetes client, KubernetesCollectorOptions options, ILogger logger) : ISourceCollector
{
    /// <summary>Record entries of a Pod that are facts worth sending (a running container is not).</summary>
    private static readonly HashSet<string> PodFacts = ["terminated", "last-terminated", "waiting", "pod-status", "pod-condition"];

    private readonly SentFacts _sent = new(100_000);

    public static ISourceCollector Create(IConfiguration configuration, ILoggerFactory loggers)
    {
        var options = configuration.Get<KubernetesCollectorOptions>() ?? new KubernetesCollectorOptions();
        KubernetesClientConfiguration config;
        try
        {
            config = options.Kubeconfig is { Length: > 0 } path
                ? KubernetesClientConfiguration.BuildConfigFromConfigFile(path, options.Context)
                : KubernetesClientConfiguration.IsInCluster()
                    ? KubernetesClientConfiguration.InClusterConfig()
                    : KubernetesClientConfiguration.BuildConfigFromConfigFile(currentContext: options.Context);
        }
        catch (Exception ex) when (ex is k8s.Exceptions.KubeConfigException or IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"collect kubernetes: no usable cluster configuration ({ex.Message}); pass --kubeconfig FILE or run in-cluster");
        }
        return new KubernetesCollector(new k8s.Kubernetes(config), options, loggers.CreateLogger<KubernetesCollector>());
    }

    /// <summary>The API requests this collector makes, as resource and verb; deploy/kubernetes grants exactly these.</summary>
    public static readonly IReadOnlyList<(string Resource, string Verb)> Permissions =
        [("pods", "list"), ("pods", "watch"), ("events", "list"), ("events", "watch")];

    public async Task RunAsync(CollectorOutbox outbox, CancellationToken cancellationToken)
    {
        var ns = options.Namespace is { Length: > 0 } n ? n : null;
        var seconds = options.WatchSeconds;
        var core = client.CoreV1;
        await Task.WhenAll(
            FollowAsync<V1Pod, V1PodList>("pods",
                ct => ns is null ? core.ListPodForAllNamespacesAsync(cancellationToken: ct) : core.ListNamespacedPodAsync(ns, cancellationToken: ct),
                (rv, onError, ct) => ns is null
                    ? core.WatchListPodForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct)
                    : core.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct),
                pod => OfferPod(pod, outbox), cancellationToken),
            FollowAsync<Corev1Event, Corev1EventList>("events",
                ct => ns is null ? core.ListEventForAllNamespacesAsync(cancellationToken: ct) : core.ListNamespacedEventAsync(ns, cancellationToken: ct),
                (rv, onError, ct) => ns is null
                    ? core.WatchListEventForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct)
                    : core.WatchListNamespacedEventAsync(ns, allowWatchBookmarks: true, resourceVersion: rv, timeoutSeconds: seconds, onError: onError, cancellationToken: ct),
                ev => OfferEvent(ev, outbox), cancellationToken));
    }

    private async Task FollowAsync<T, TList>(string what, Func<CancellationToken, Task<TList>> list,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType, T)>> watch,
        Action<T> offer, CancellationToken cancellationToken)
        where T : IKubernetesObject<V1ObjectMeta>
        where TList : IItems<T>, IMetadata<V1ListMeta>
    {
        string? resourceVersion = null;
        var attempt = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var listed = await list(cancellationToken);
                    foreach (var item in listed.Items) offer(item);
                    resourceVersion = listed.Metadata.ResourceVersion;
                    logger.LogInformation("Listed {Count} {What} at resourceVersion {Version}; watching", listed.Items.Count, what, resourceVersion);
                }

                var gone = false;
                void OnError(Exception error)
                {
                    if (error is KubernetesException { Status.Code: (int)HttpStatusCode.Gone }) gone = true;
                    else logger.LogWarning("Watch of {What}: {Error}", what, error.Message);
                }
                await foreach (var (type, item) in watch(resourceVersion, OnError, cancellationToken))
                {
                    attempt = 0;
                    if (type is WatchEventType.Added or WatchEventType.Modified) offer(item);
                    resourceVersion = item.Metadata?.ResourceVersion ?? resourceVersion;
                }
                if (gone)
                {
                    logger.LogInformation("resourceVersion {Version} of {What} is gone (410); relisting", resourceVersion, what);
                    resourceVersion = null;
                }
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.Gone)
            {
                resourceVersion = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or HttpOperationException or IOException or KubernetesException
                                           && !cancellationToken.IsCancellationRequested)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, attempt++)) * (0.5 + Random.Shared.NextDouble() / 2));
                logger.LogWarning("Watch of {What} failed ({Error}); resuming from {Version} in {Wait}", what, ex.Message, resourceVersion ?? "a new list", wait);
                await Task.Delay(wait, cancellationToken);
            }
        }
    }

    private void OfferPod(V1Pod pod, CollectorOutbox outbox)
    {
        // List items carry no kind; the parser (and the console) recognise a Pod by it.
        pod.Kind ??= "Pod";
        pod.ApiVersion ??= "v1";
        var json = KubernetesJson.Serialize(pod);
        if (outbox.Parse([json], options.Cluster) is not { } records) return;
        var facts = records.Where(r => PodFacts.Contains(r.Entry)).Select(r => r.DedupeKey).ToList();
        if (_sent.AddNew(facts)) outbox.Enqueue([json], options.Cluster);
    }

    private void OfferEvent(Corev1Event ev, CollectorOutbox outbox)
    {
        if (ev.Type != "Warning") return;
        ev.Kind ??= "Event";
        ev.ApiVersion ??= "v1";
        var json = KubernetesJson.Serialize(ev);
        if (outbox.Parse([json], options.Cluster) is not { } records) return;
        // The same Event comes back with a higher count each time it repeats: each count is a fact of its own.
        if (_sent.AddNew(records.Select(r => $"{r.DedupeKey}:{r.OccurrenceCount}"))) outbox.Enqueue([json], options.Cluster);
    }
}
