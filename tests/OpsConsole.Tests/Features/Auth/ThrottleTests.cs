using System.Net;
using OpsConsole.Features.Auth;

namespace OpsConsole.Tests.Features.Auth;

/// <summary>Guessing keys or embed tokens from one client is cut off after a burst of failures; other clients are unaffected.</summary>
public sealed class ThrottleTests
{
    [Fact]
    public async Task Wrong_keys_from_one_client_get_429_after_the_limit()
    {
        using var factory = new OpsConsoleFactory();
        var guesser = factory.CreateClient();
        guesser.DefaultRequestHeaders.Add("X-Api-Key", "guess");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i <= ClientThrottle.Limit; i++) statuses.Add((await guesser.GetAsync("/api/v1/records")).StatusCode);

        Assert.All(statuses.Take(ClientThrottle.Limit), s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        // While blocked, even the right key waits: the guesser cannot tell a hit from a miss.
        Assert.Equal(HttpStatusCode.TooManyRequests, (await factory.CreateApiClient().GetAsync("/api/v1/records")).StatusCode);
    }

    [Fact]
    public async Task Wrong_embed_tokens_from_one_client_get_429_after_the_limit()
    {
        using var factory = new OpsConsoleFactory();
        var client = factory.CreateClient();
        for (var i = 0; i < ClientThrottle.Limit; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync($"/embed/failing?token=guess-{i}")).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync("/embed/failing?token=guess-last")).StatusCode);
    }

    [Fact]
    public void Failures_age_out_of_the_window()
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var throttle = new ClientThrottle(clock);
        var client = IPAddress.Parse("192.0.2.7");
        for (var i = 0; i < ClientThrottle.Limit; i++) throttle.Fail(client);
        Assert.True(throttle.IsBlocked(client));
        Assert.False(throttle.IsBlocked(IPAddress.Parse("192.0.2.8")));

        clock.Advance(ClientThrottle.Window + TimeSpan.FromSeconds(1));
        Assert.False(throttle.IsBlocked(client));
    }
}
