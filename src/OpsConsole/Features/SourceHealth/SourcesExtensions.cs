namespace OpsConsole.Features.SourceHealth;

public static class SourcesExtensions
{
    public static IServiceCollection AddSources(this IServiceCollection services)
    {
        services.AddOptions<SourcesOptions>().BindConfiguration(SourcesOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<SourceActivity>();
        services.AddHostedService(sp => sp.GetRequiredService<SourceActivity>());
        return services;
    }
}
