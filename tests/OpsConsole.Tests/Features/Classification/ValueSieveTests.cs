using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Features.Classification;

public sealed class ValueSieveTests
{
    private static readonly string[] Reasons = ["OOMKilled", "CrashLoopBackOff", "Error", "ImagePullBackOff"];

    [Theory]
    [InlineData("OOMKilled")]
    [InlineData("oomkilled")] // the lookups it guards ignore case
    [InlineData("ERROR")]
    [InlineData("imagepullbackoff")]
    public void Lets_through_every_value_of_the_set_in_any_case(string value) => Assert.True(ValueSieve.Of(Reasons).MayHold(value));

    [Fact]
    public void Stops_most_values_outside_the_set()
    {
        var sieve = ValueSieve.Of(Reasons);
        string[] others = ["Started", "Pulled", "Scheduled", "Created", "Killing", "BackOff", "Unhealthy", "FailedMount", "Completed"];
        Assert.True(others.Count(o => !sieve.MayHold(o)) >= others.Length - 2);
    }

    [Theory]
    [InlineData("\u212Aill")] // a Kelvin sign first or last: the lookup decides
    [InlineData("kil\u212A")]
    public void Lets_through_values_it_cannot_fold(string value) => Assert.True(ValueSieve.Of(["kill", "Error"]).MayHold(value));

    [Fact]
    public void A_set_with_a_value_it_cannot_fold_lets_everything_through() =>
        Assert.True(ValueSieve.Of(["\u212Aelvin", "Error"]).MayHold("anything"));
}
