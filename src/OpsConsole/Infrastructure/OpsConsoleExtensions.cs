using System.Diagnostics;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using MudBlazor.Services;
using OpsConsole.Components;
using OpsConsole.Data;
using OpsConsole.Features.Audit;
using OpsConsole.Features.Auth;
using OpsConsole.Features.Classification;
using OpsConsole.Features.Collectors;
using OpsConsole.Features.Demo;
using OpsConsole.Features.Embed;
using OpsConsole.Features.Health;
using OpsConsole.Features.Ingestion;
using OpsConsole.Features.Instances;
using OpsConsole.Features.Notifications;
using OpsConsole.Features.Records;
using OpsConsole.Features.Retention;
using OpsConsole.Features.Runbooks;
using OpsConsole.Features.Silences;
using OpsConsole.Features.SourceHealth;
using Prometheus;

namespace OpsConsole.Infrastructure;

/// <summary>Wires every feature; keeps Program.cs short.</summary>
public static class OpsConsoleExtensions
{
    public static IServiceCollection AddOpsConsole(this IServiceCollection services, IConfiguration configuration, bool demo)
    {
        services.AddSingleton(TimeProvider.System);
        ThreadPoolFloor.Apply(configuration);
        services.AddSingleton<RuntimePauses.Log>();
        services.AddSingleton<StartUpTimeline>();
        services.AddSingleton<ConsoleOrigins>();
        services.AddProblemDetails();
        services.AddExceptionHandler<ClientFaultHandler>();
        services.AddExceptionHandler<StorageFaultHandler>();
        // A query value that does not bind (limit=abc) throws, so ClientFaultHandler answers a 400 problem naming it.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddOpenApi(options => options.AddOperationTransformer<IngestionOpenApiExamples>());
        services.AddOpsDatabase(configuration);
        services.AddHealth();
        services.AddSingleton<IngestRequestWarmUp>();
        services.AddHostedService(sp => sp.GetRequiredService<IngestRequestWarmUp>());
        services.AddIngestion();
        services.AddSingleton<CommittedRecords>();
        services.AddHostedService(sp => sp.GetRequiredService<CommittedRecords>());
        services.AddConsoleAuth(configuration);
        services.AddSilences();
        services.AddNotifications();
        services.AddClassification();
        services.AddRunbooks();
        services.AddSources();
        services.AddRetention();
        services.AddCollectors();
        services.AddEmbed();
        services.AddSingleton<RecordQueries>();
        services.AddSingleton<InstanceQueries>();
        services.AddSingleton<FailingGroups>();
        services.AddOptions<OpsConsole.Sources.SourceLinkOptions>().BindConfiguration(OpsConsole.Sources.SourceLinkOptions.SectionName);
        services.AddSingleton<InstanceAcknowledgements>();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
        if (demo) services.AddDemoFleet();
        return services;
    }

    /// <summary>Migrates the store, loads ingestion keys and the rules; a bad rules file stops start-up here.</summary>
    public static async Task InitializeOpsConsoleAsync(this WebApplication app)
    {
        var timeline = app.Services.GetRequiredService<StartUpTimeline>();
        app.Services.GetRequiredService<RuntimePauses.Log>();
        await timeline.StepAsync("migrations", () => app.Services.MigrateDatabaseAsync());
        var rules = Stopwatch.StartNew();
        app.Services.GetRequiredService<IncidentClassifier>();
        timeline.Note("rules", rules.Elapsed);
        var url = app.Configuration["OpsConsole:PublicBaseUrl"] ?? app.Configuration["Urls"]?.Split(';')[0] ?? "http://localhost:5080";
        await timeline.StepAsync("keys and sign-in", async () =>
        {
            await app.Services.GetRequiredService<ApiKeyStore>().InitializeAsync(url, CancellationToken.None);
            await app.Services.InitializeConsoleAuthAsync(url);
            await app.Services.GetRequiredService<EmbedTokenStore>().InitializeAsync(CancellationToken.None);
        });
        await timeline.StepAsync("ingest warm-up", () => IngestWarmUp.RunAsync(app.Services.GetRequiredService<IngestionPipeline>(),
            app.Services.GetRequiredService<IRecordStore>(), CancellationToken.None));
        timeline.LogWhenListening();
    }

    public static WebApplication UseOpsConsole(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseSecurityHeaders();
        app.UseOriginCheck();
        app.UseEmbedAccess();
        app.UseHttpMetrics();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapHealth();
        app.MapStorageMetrics();
        app.MapOpenApi();
        app.MapIngestion().AddEndpointFilter(CollectorContacts.RecordContact);
        app.MapRecords();
        app.MapInstances();
        app.MapCategories();
        app.MapAccount();
        app.MapAudit();
        app.MapSilences();
        app.MapEmbedTokens();
        // The embed feature owns frame-ancestors (its routes may be framed by Embed:FrameAncestors), so Blazor adds none.
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);
        return app;
    }

    /// <summary>The first address Kestrel listens on, for in-process clients (the demo feeder, the start-up request); a wildcard host becomes localhost.</summary>
    public static string? ListeningAddress(this IServer server) =>
        server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost");

    /// <summary>Waits until the server listens; false when the host stops first.</summary>
    public static async Task<bool> WaitForStartAsync(this IHostApplicationLifetime lifetime, CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var registration = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var stopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
