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
    [InlineData("download cancell?ed", "download cancelled|download canceled")] // greedy: with the character first, as the regex tries it
    [InlineData("oom[-_ ]?kill|out of memory", "oom-kill|oom_kill|oom kill|oomkill|out of memory")]
    [InlineData("could(n't| not) (connect|resolve)", "couldn't connect|couldn't resolve|could not connect|could not resolve")]
    [InlineData(@"169\.254\.169\.254|timed? ?out|timeout", "169.254.169.254|timed out|timedout|time out|timeout")] // a repeat is dropped
    [InlineData("persistent fail(i)?ure|[Ss]top", "persistent failiure|persistent failure|Stop")] // as is one that differs only in case
    public void Spells_out_optional_parts_groups_and_classes_in_the_order_the_regex_tries_them(string pattern, string alternatives) =>
        Assert.Equal(alternatives.Split('|'), LiteralPattern.For(pattern)!.Alternatives);

    [Theory]
    [InlineData("cancel+ed")] // a repeat has no end to its spellings
    [InlineData("cancell??ed")] // a lazy option tries the shorter spelling first
    [InlineData("(?:a|b)c")]
    [InlineData("[^a]bc")]
    [InlineData("[a-z]bc")]
    [InlineData("(a|)")] // an empty spelling matches anywhere
    [InlineData("x?")]
    [InlineData("(a|b)(c|d)(e|f)(g|h)(i|j)(k|l)(m|n)")] // 128 spellings: more than a literal search is worth
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

    [Theory]
    [InlineData("download cancell?ed", "Download Canceled by user")]
    [InlineData("timed? ?out|timeout", "request TIMEDOUT after a time out")]
    [InlineData("fail(i)?ure|failure to start", "persistent failure to start")]
    [InlineData("oom[-_ ]?kill", "an oom_kill and an oom-kill")]
    public void Finds_what_the_regex_finds_when_spelling_a_pattern_out(string pattern, string message) => Finds_what_the_regex_finds(pattern, message);

    [Fact]
    public void Finds_what_the_regex_finds_for_every_shipped_pattern_it_reads()
    {
        var patterns = ShippedMessagePatterns.Patterns(alsoAndNot: true);
        var texts = ShippedMessagePatterns.KnownTexts();
        var read = 0;
        var matched = 0;
        foreach (var pattern in patterns)
        {
            if (LiteralPattern.For(pattern) is not { } literal) continue;
            read++;
            var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            foreach (var text in texts)
            {
                var expected = regex.Match(text);
                if (literal.TryMatch(text, out var found) is not { } known) continue; // outside ASCII: the regex decides
                Assert.True(expected.Success == known && (expected.Success ? expected.Value : "") == found,
                    $"'{pattern}' on \"{text}\": the regex found \"{expected.Value}\", the literal search \"{found}\"");
                if (known) matched++;
            }
        }
        Assert.True(read * 2 >= patterns.Count, $"only {read} of {patterns.Count} shipped message patterns are read as literals");
        Assert.True(matched > 100, $"only {matched} pattern/line matches were checked");
    }

    [Fact]
    public void Leaves_a_message_outside_ascii_to_the_regex() =>
        Assert.Null(LiteralPattern.For("kill")!.TryMatch("\u212Aill", out _)); // a Kelvin sign is a 'k' to a case-insensitive regex

    [Theory]
    [InlineData("resize compute1 \u2192 compute2: OOM-Kill", true, "OOM-Kill")] // an arrow is no letter to any comparison
    [InlineData("\u201cdone\u201d \u2192 idle", false, "")]
    public void Reads_a_message_whose_other_characters_match_no_letter_as_ascii(string message, bool found, string matched)
    {
        var pattern = LiteralPattern.For("oom[-_ ]?kill")!;
        Assert.Equal(found, pattern.TryMatch(message, out var text));
        Assert.Equal(matched, text);
        // What the regex finds there.
        var regex = new System.Text.RegularExpressions.Regex("oom[-_ ]?kill", System.Text.RegularExpressions.RegexOptions.IgnoreCase | System.Text.RegularExpressions.RegexOptions.CultureInvariant).Match(message);
        Assert.Equal((regex.Success, regex.Value), (found, matched));
    }
}
