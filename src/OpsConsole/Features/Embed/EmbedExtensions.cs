namespace OpsConsole.Features.Embed;

public static class EmbedExtensions
{
    public static IServiceCollection AddEmbed(this IServiceCollection services)
    {
        services.AddOptions<EmbedOptions>().BindConfiguration(EmbedOptions.SectionName);
        services.AddSingleton<EmbedTokenStore>();
        services.AddSingleton<FailureTrend>();
        services.AddHostedService(sp => sp.GetRequiredService<FailureTrend>());
        services.AddSingleton<PanelData>();
        return services;
    }
}
