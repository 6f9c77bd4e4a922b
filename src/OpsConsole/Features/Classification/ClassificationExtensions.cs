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
        services.AddSingleton<CorrelationPriming>();
        services.AddHostedService(sp => sp.GetRequiredService<CorrelationPriming>());
        services.AddSingleton<Patterns.PatternRecordWriter>();
        services.AddSingleton<Patterns.CrashLoopDetector>();
        services.AddSingleton<Patterns.CrashLoopWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<Patterns.CrashLoopWatcher>());
        services.AddSingleton<Patterns.SilenceDetector>();
        services.AddHostedService(sp => sp.GetRequiredService<Patterns.SilenceDetector>());
        services.AddSingleton<Reclassifier>();
        services.AddHostedService(sp => sp.GetRequiredService<Reclassifier>());
        return services;
    }
}
