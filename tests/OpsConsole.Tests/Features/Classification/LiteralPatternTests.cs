using System.Text.RegularExpressions;
using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Features.Classification;

public sealed class LiteralPatternTests
{
    [Theory]
    [InlineData("maximum allowed cores exceeded", "maximum allowed cores exceeded")]
    [InlineData("download cancelled|OverQuota|no basic auth cred", "download cancelled|OverQuota|no basic auth cred")]
    [InlineData("denied: |'commissioning' failed", "denied: |'commissioning' failed")]
    public void Reads_a_pattern_of_plain_alternatives(string pattern, string alternatives) =>
        Assert.Equal(alternatives.Split('|'), LiteralPattern.For(pattern)!.Alternatives);

    [Theory]
    [InlineData("cancell?ed")]
    [InlineData(@"\b401\b")]
    [InlineData("a.b")]
    [InlineData("fork|")] // an empty alternative matches anywhere
    [InlineData("(?i)x")]
    [InlineData("tab\there")]
    [InlineData("caf\u00e9")]
    public void Declines_a_pattern_that_means_more_than_its_characters(string pattern) => Assert.Null(LiteralPattern.For(pattern));

    [Theory]
    [InlineData("disk full|full", "the DISK FULL and full again")]
    [InlineData("full|disk full", "the disk full")]
    [InlineData("abc|bcd", "xbcd abc")]
    [InlineData("oom|memory", "nothing to see")]
    [InlineData("Out Of Memory", "out of memory: killed")]
    public void Finds_what_the_regex_finds(string pattern, string message)
    {
        var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline).Match(message);

        var found = LiteralPattern.For(pattern)!.TryMatch(message, out var matched);

        Assert.Equal(regex.Success, found);
        Assert.Equal(regex.Success ? regex.Value : "", matched);
    }

    [Fact]
    public void Leaves_a_message_outside_ascii_to_the_regex() =>
        Assert.Null(LiteralPattern.For("kill")!.TryMatch("\u212Aill", out _)); // a Kelvin sign is a 'k' to a case-insensitive regex
}
