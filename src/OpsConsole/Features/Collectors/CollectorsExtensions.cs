namespace OpsConsole.Features.Collectors;

public static class CollectorsExtensions
{
    public static IServiceCollection AddCollectors(this IServiceCollection services)
    {
        services.AddSingleton<CollectorContacts>();
        services.AddHostedService<ConfiguredCollectors>();
        return services;
    }
}
