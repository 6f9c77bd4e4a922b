namespace OpsConsole.Features.Silences;

public static class SilencesExtensions
{
    public static IServiceCollection AddSilences(this IServiceCollection services)
    {
        services.AddSingleton<SilenceStore>();
        services.AddSingleton<SilenceSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<SilenceSweeper>());
        return services;
    }
}
