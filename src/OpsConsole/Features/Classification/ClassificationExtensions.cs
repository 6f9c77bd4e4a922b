namespace OpsConsole.Features.Classification;

public static class ClassificationExtensions
{
    public static IServiceCollection AddClassification(this IServiceCollection services)
    {
        services.AddOptions<ClassificationOptions>()
            .BindConfiguration(ClassificationOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IncidentClassifier>();
        services.AddSingleton<RecordCorrelator>();
        return services;
    }
}
