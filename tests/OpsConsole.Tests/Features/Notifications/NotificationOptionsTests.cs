using Microsoft.Extensions.Options;
using OpsConsole.Features.Notifications;

namespace OpsConsole.Tests.Features.Notifications;

/// <summary>Bad notification settings stop start-up with errors that name the item and field.</summary>
public sealed class NotificationOptionsTests
{
    private static IReadOnlyList<string> Problems(NotificationOptions options) =>
        new NotificationOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void Each_problem_names_the_channel_or_route_and_its_field()
    {
        var problems = Problems(new NotificationOptions
        {
            Channels =
            [
                new ChannelOptions { Name = "am", Type = "alertmanager", Url = "http://am:9093" },
                new ChannelOptions { Name = "chat", Type = "discord", Url = "https://x" },
                new ChannelOptions { Name = "hook", Type = "webhook", Url = "https://hooks.example/x" },
                new ChannelOptions { Name = "slack", Type = "slack", Url = "not a url" },
            ],
            Routes =
            [
                new RouteOptions { Channel = "am", MinSeverity = "error", Families = ["container"] },
                new RouteOptions { Channel = "pager", MinSeverity = "loud", Families = ["nope"], Categories = ["k8s.nope"], RepeatAfter = TimeSpan.Zero },
            ],
        });
        Assert.Contains("Notifications:Channels:1 (chat): Type 'discord' is not one of alertmanager, slack, teams, webhook.", problems);
        Assert.Contains(problems, p => p.StartsWith("Notifications:Channels:2 (hook): Secret is empty", StringComparison.Ordinal));
        Assert.Contains("Notifications:Channels:3 (slack): Url is not an absolute http(s) address.", problems);
        Assert.Contains(problems, p => p.StartsWith("Notifications:Routes:1: Channel 'pager' is not a configured channel", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Notifications:Routes:1: MinSeverity 'loud'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Notifications:Routes:1: Families has 'nope'", StringComparison.Ordinal));
        Assert.Contains("Notifications:Routes:1: Categories has 'k8s.nope', not a category of the taxonomy.", problems);
        Assert.Contains("Notifications:Routes:1: RepeatAfter must be positive.", problems);
        Assert.DoesNotContain(problems, p => p.Contains("Routes:0", StringComparison.Ordinal) || p.Contains("Channels:0", StringComparison.Ordinal));
        Assert.Equal(8, problems.Count);
    }

    [Fact]
    public void The_console_does_not_start_with_a_route_to_an_unknown_channel()
    {
        using var console = new NotificationConsole(new Dictionary<string, string?> { ["Notifications:Routes:0:Channel"] = "nowhere" });
        var error = Assert.Throws<OptionsValidationException>(() => console.Services);
        Assert.Contains("Notifications:Routes:0: Channel 'nowhere' is not a configured channel", error.Message);
    }
}
