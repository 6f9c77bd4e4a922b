using System.Text.RegularExpressions;
using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Features.Classification;

public sealed class MessagePrefilterTests
{
    [Theory]
    [InlineData(@"(HTTP[_ ]?CODE|HTTP error|status( code)?)\W*404|\b404 not found", "404|404 not found")]
    [InlineData("back-?off restarting failed container|CrashLoopBackOff", "off restarting failed container|CrashLoopBackOff")]
    [InlineData(@"169\.254\.169\.254|cloud-init", "169.254.169.254|cloud-init")]
    [InlineData("quota exceeded|exceeds? (the )?quota", "quota exceeded|exceed")]
    [InlineData("timeouts+ here", "timeouts")]
    // No run of three in the second alternative: the group it must pass through names its literals.
    [InlineData(@"status\W*5\d\d|\b50[0234] (internal|bad gateway|gateway time(out)?)", "status|internal|bad gateway|gateway time")]
    public void Names_the_longest_literal_every_alternative_needs(string pattern, string literals)
    {
        var prefilter = MessagePrefilter.For(pattern);
        Assert.NotNull(prefilter);
        Assert.Equal(literals.Split('|'), prefilter.Literals);
    }

    [Theory]
    [InlineData("ab|cdef")] // an alternative with no literal of three characters
    [InlineData("fork|")] // an empty alternative matches anything
    [InlineData(@"\x41BCDEF")] // characters named by number are not read
    [InlineData(@"(\w+) again \1")] // nor back-references
    [InlineData("(?x) spaced out pattern")] // nor options that change what a space means
    [InlineData("(?-i)CaseSensitive")]
    [InlineData("a.b.c")]
    [InlineData(@"\b50[0234] (internal|bad gateway)?")] // an optional group is not required text
    [InlineData(@"\b50[0234] (?!internal)")] // nor a look-ahead that must fail
    [InlineData(@"\b50[0234] (internal|ab)")] // an alternative of the group with no literal
    public void Declines_a_pattern_it_cannot_read_whole(string pattern) => Assert.Null(MessagePrefilter.For(pattern));

    [Fact]
    public void Passes_messages_outside_ascii_to_the_regex()
    {
        var prefilter = MessagePrefilter.For("kill")!;
        Assert.False(prefilter.MayMatch("nothing to see"));
        Assert.True(prefilter.MayMatch("OOM KILL"));
        Assert.True(prefilter.MayMatch("\u212Aill")); // a Kelvin sign is a 'k' to a case-insensitive regex
        Assert.False(prefilter.MayMatch("done \u2192 idle")); // an arrow is no letter to either
    }

    [Fact]
    public void Never_turns_away_a_message_a_shipped_pattern_matches()
    {
        var patterns = ShippedMessagePatterns.Patterns(alsoAndNot: false);
        var texts = ShippedMessagePatterns.KnownTexts();
        var prefiltered = 0;
        var matched = 0;
        foreach (var pattern in patterns)
        {
            if (MessagePrefilter.For(pattern) is not { } prefilter) continue;
            prefiltered++;
            var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            foreach (var text in texts.Where(t => regex.IsMatch(t)))
            {
                matched++;
                Assert.True(prefilter.MayMatch(text), $"'{pattern}' matches \"{text}\" but its prefilter ({string.Join(", ", prefilter.Literals)}) turned it away");
            }
        }
        Assert.True(prefiltered * 10 >= patterns.Count * 8, $"only {prefiltered} of {patterns.Count} shipped message patterns get a prefilter");
        Assert.True(matched > 100, $"only {matched} pattern/line matches were checked");
    }
}
