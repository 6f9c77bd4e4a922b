namespace OpsConsole.Features.Runbooks;

public static class RunbooksExtensions
{
    public static IServiceCollection AddRunbooks(this IServiceCollection services)
    {
        services.AddOptions<RunbookOptions>().BindConfiguration(RunbookOptions.SectionName);
        services.AddSingleton<RunbookLibrary>();
        services.AddSingleton<RunbookProgress>();
        return services;
    }
}
