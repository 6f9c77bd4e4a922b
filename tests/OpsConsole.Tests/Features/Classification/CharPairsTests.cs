using System.Text.RegularExpressions;
using OpsConsole.Features.Classification;

namespace OpsConsole.Tests.Features.Classification;

public sealed class CharPairsTests
{
    private static bool MayHold(string message, params string[] spellings)
    {
        var facts = new RecordMessage(message);
        return facts.MayHoldAny([.. spellings.Select(s => CharPairs.Of(s))]);
    }

    [Fact]
    public void A_message_may_hold_what_it_holds_in_any_ascii_case()
    {
        Assert.True(MayHold("Back-off pulling image \"registry/app:1\"", "BACK-OFF PULLING"));
        Assert.True(MayHold("context deadline exceeded", "nothing like it", "Deadline Exceeded"));
    }

    [Fact]
    public void A_spelling_with_a_pair_the_message_lacks_is_ruled_out()
    {
        Assert.False(MayHold("connection timed out", "timeout"));          // "eo" is not in the message
        Assert.False(MayHold("pod sandbox changed", "oomkill", "evicted"));
    }

    [Fact]
    public void A_message_outside_ascii_is_left_to_the_search()
    {
        Assert.True(MayHold("\u212Aill signal", "zzzz")); // case folding outside ASCII is the regex's
        Assert.False(new RecordMessage("\u212Aill").Ascii);
        Assert.False(new RecordMessage("resize \u2192 \u212Aill").Ascii); // an arrow, then a Kelvin sign
        Assert.True(new RecordMessage("resize compute1 \u2192 compute2").Ascii); // an arrow is no letter to either
    }

    /// <summary>
    /// The set of a text is the union of the sets of its pairs, and the ASCII answer made in the same pass is
    /// <see cref="System.Text.Ascii.IsValid(ReadOnlySpan{char})"/>'s, at every length around the sixteen-pair blocks.
    /// </summary>
    [Fact]
    public void A_text_s_set_is_the_union_of_its_pairs_and_its_ascii_answer_is_exact()
    {
        var random = new Random(17);
        for (var length = 0; length < 70; length++)
            for (var sample = 0; sample < 20; sample++)
            {
                // Mostly ASCII, now and then a character beyond it, in any place (the last one included).
                var text = new string([.. Enumerable.Range(0, length).Select(_ => random.Next(12) == 0 ? (char)random.Next(0x80, 0x3000) : (char)random.Next(0x20, 0x7F))]);
                var pairs = CharPairs.Of(text, out var ascii);
                Assert.Equal(System.Text.Ascii.IsValid(text), ascii);
                var union = default(CharPairs);
                for (var i = 1; i < text.Length; i++)
                {
                    var pair = CharPairs.Of(text.AsSpan(i - 1, 2));
                    for (var w = 0; w < 8; w++) union[w] |= pair[w];
                }
                for (var w = 0; w < 8; w++) Assert.True(union[w] == pairs[w], $"word {w} of \"{text}\"");
            }
    }

    /// <summary>The filter may only rule out what the regex cannot find: every shipped pattern over every known text.</summary>
    [Fact]
    public void Never_rules_out_a_shipped_pattern_the_regex_finds()
    {
        var texts = ShippedMessagePatterns.KnownTexts();
        var checkedMatches = 0;
        foreach (var pattern in ShippedMessagePatterns.Patterns(alsoAndNot: true))
        {
            var spellings = LiteralPattern.For(pattern)?.Alternatives ?? MessagePrefilter.For(pattern)?.Literals;
            if (spellings is null || spellings.Any(s => s.Length < 2)) continue;
            var regex = new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline);
            foreach (var text in texts.Where(t => regex.IsMatch(t)))
            {
                Assert.True(MayHold(text, [.. spellings]), $"'{pattern}' is in \"{text}\" but its pairs were ruled out");
                checkedMatches++;
            }
        }
        Assert.True(checkedMatches > 100, $"only {checkedMatches} pattern/text matches were checked");
    }
}
