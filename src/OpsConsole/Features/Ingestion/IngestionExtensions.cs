using Microsoft.AspNetCore.Authentication;
using OpsConsole.Features.Records;

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
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder()
            .AddPolicy(IngestionEndpoints.ApiPolicy, policy => policy
                .AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName)
                .RequireAuthenticatedUser());
        services.AddSingleton<IRecordChangeFeed, InProcessRecordChangeFeed>();
        services.AddSingleton<IngestionPipeline>();
        return services;
    }
}
