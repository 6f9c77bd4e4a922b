using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Features.Classification;

/// <summary>Correlations load what they remember at start-up, so no ingest request queries the store for them.</summary>
public sealed class CorrelationPrimingTests
{
    [Fact]
    public async Task Correlations_are_primed_at_start_up_before_any_request()
    {
        using var factory = new OpsConsoleFactory();
        var priming = factory.Services.GetRequiredService<CorrelationPriming>();
        await priming.Primed.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.True(priming.Primed.IsCompletedSuccessfully);
    }
}
