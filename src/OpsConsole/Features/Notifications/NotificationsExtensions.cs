using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Notifications.Formats;
using Polly;

namespace OpsConsole.Features.Notifications;

public static class NotificationsExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services)
    {
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<NotificationOptions>, NotificationOptionsValidator>();
        services.AddSingleton<IChannelFormat, AlertmanagerFormat>();
        services.AddSingleton<IChannelFormat, SlackFormat>();
        services.AddSingleton<IChannelFormat, TeamsFormat>();
        services.AddSingleton<IChannelFormat, WebhookFormat>();
        services.AddTransient<AttemptCounter>();
        var client = services.AddHttpClient(NotificationSender.ClientName);
        client.AddResilienceHandler(NotificationSender.ClientName, (pipeline, context) =>
            {
                var options = context.ServiceProvider.GetRequiredService<IOptions<NotificationOptions>>().Value;
                pipeline.AddRetry(new HttpRetryStrategyOptions
                {
                    MaxRetryAttempts = options.Retries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = options.RetryDelay,
                });
                // Each attempt gets its own limit, so a receiver that hangs costs one attempt, not the whole send.
                pipeline.AddTimeout(TimeSpan.FromSeconds(10));
            });
        // Added after the retry handler, so inside it: it sees every attempt.
        client.AddHttpMessageHandler<AttemptCounter>();
        services.AddSingleton<ChannelDirectory>();
        services.AddSingleton<NotificationSender>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationDispatcher>());
        return services;
    }
}
