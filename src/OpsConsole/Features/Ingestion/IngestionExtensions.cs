using Microsoft.AspNetCore.Authentication;

namespace OpsConsole.Features.Ingestion;

public static class IngestionExtensions
{
    public static IServiceCollection AddIngestion(this IServiceCollection services)
    {
        services.AddOptions<IngestionOptions>()
            .BindConfiguration(IngestionOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<ApiKeyStore>();
        // Which scope each API needs is the auth feature's (ApiPolicies); this only teaches the console to read keys.
        services.AddAuthentication()
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddSingleton<IngestionPipeline>();
        return services;
    }
}
