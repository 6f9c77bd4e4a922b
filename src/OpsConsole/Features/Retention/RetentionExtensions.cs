namespace OpsConsole.Features.Retention;

public static class RetentionExtensions
{
    public static IServiceCollection AddRetention(this IServiceCollection services)
    {
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<StorageMetrics>();
        services.AddSingleton<RetentionJob>();
        services.AddHostedService(sp => sp.GetRequiredService<RetentionJob>());
        return services;
    }

    /// <summary><c>/metrics</c>: the process-wide metrics and this console's storage figures.</summary>
    public static IEndpointRouteBuilder MapStorageMetrics(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/metrics", StorageMetrics.ScrapeAsync).ExcludeFromDescription();
        return routes;
    }
}
