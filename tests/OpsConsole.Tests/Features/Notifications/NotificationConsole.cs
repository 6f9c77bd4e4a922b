using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Notifications;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>A console with Notifications settings, on a clock the test moves when one is given.</summary>
public sealed class NotificationConsole(Dictionary<string, string?> settings, ManualClock? clock = null) : OpsConsoleFactory(WithDefaults(settings))
{
    public const string PublicBaseUrl = "https://console.example.test";

    private static Dictionary<string, string?> WithDefaults(Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>(settings);
        all.TryAdd("OpsConsole:PublicBaseUrl", PublicBaseUrl);
        all.TryAdd("Notifications:RetryDelay", "00:00:00.050");
        return all;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        if (clock is not null) builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock));
    }

    public NotificationDispatcher Dispatcher => Services.GetRequiredService<NotificationDispatcher>();

    public Task DispatchAsync() => Dispatcher.DispatchAsync(CancellationToken.None);

    /// <summary>Posts a Docker container exit: OOMKilled fails the instance, "running" ends its failure. Gives its instance key.</summary>
    public async Task<string> ExitAsync(string host, string name, string reason = "OOMKilled")
    {
        var json = reason == "running"
            ? $$"""{"source":"docker","cluster":"{{host}}","instance":"{{name}}","reason":"running"}"""
            : $$"""{"source":"docker","cluster":"{{host}}","instance":"{{name}}","exitCode":137,"reason":"{{reason}}"}""";
        var result = await CreateApiClient().PostOkAsync("/api/v1/container-exits", json);
        return result.GetProperty("records")[0].GetProperty("instance").GetString()!;
    }

    /// <summary>Settings for one channel (named "ops" unless given) and one route to it.</summary>
    public static Dictionary<string, string?> OneChannel(string type, string url, string? secret = null, string? groupWindow = null, string? repeatAfter = null, string channel = "ops")
    {
        var settings = new Dictionary<string, string?>
        {
            ["Notifications:Channels:0:Name"] = channel,
            ["Notifications:Channels:0:Type"] = type,
            ["Notifications:Channels:0:Url"] = url,
            ["Notifications:Routes:0:Channel"] = channel,
        };
        if (secret is not null) settings["Notifications:Channels:0:Secret"] = secret;
        if (groupWindow is not null) settings["Notifications:Routes:0:GroupWindow"] = groupWindow;
        if (repeatAfter is not null) settings["Notifications:Routes:0:RepeatAfter"] = repeatAfter;
        return settings;
    }
}
