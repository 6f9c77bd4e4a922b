using OpsConsole.Features.Classification.Vocabulary;

namespace OpsConsole.Tests.Features.Classification;

public sealed class PhraseSearchTests
{
    private static readonly PhraseSearch Search = new(["failed to allocate", "failed to allocate the network(s)", "port binding failed", "oom", "(s)"]);

    /// <summary>The phrase found and the text it matched, with the text's own spacing and case.</summary>
    private static bool Find(string text, out string phrase, out string found)
    {
        var matched = Search.TryFind(text, out phrase, out var start, out var end);
        found = text[start..end];
        return matched;
    }

    [Fact]
    public void The_leftmost_phrase_wins_and_at_one_position_the_longest()
    {
        Assert.True(Find("x: port binding failed, then Failed to allocate the network(s)", out var phrase, out _));
        Assert.Equal("port binding failed", phrase);
        Assert.True(Find("Failed to allocate the network(s) for it", out phrase, out var found));
        Assert.Equal("failed to allocate the network(s)", phrase);
        Assert.Equal("Failed to allocate the network(s)", found);
    }

    [Fact]
    public void Runs_of_white_space_match_one_space_and_the_text_found_keeps_its_own()
    {
        Assert.True(Find("Build aborted:\tFAILED  TO\n  ALLOCATE the network", out var phrase, out var found));
        Assert.Equal("failed to allocate", phrase);
        Assert.Equal("FAILED  TO\n  ALLOCATE", found);
    }

    [Fact]
    public void A_phrase_with_word_characters_at_its_ends_matches_only_whole_words_but_the_search_goes_on()
    {
        Assert.False(Find("zoom and boomer, export binding failedover", out _, out _));
        Assert.True(Find("boom then oom_ then OOM.", out var phrase, out var found));
        Assert.Equal("oom", phrase);
        Assert.Equal("OOM", found);
        // A phrase that starts with punctuation needs no word boundary before it.
        Assert.True(Find("network(s)", out phrase, out _));
        Assert.Equal("(s)", phrase);
    }

    /// <summary>A plain text (printable ASCII, no two spaces in a row) is its own normalised form and one the phrase tables' one search reads.</summary>
    [Fact]
    public void A_plain_text_needs_no_normalising_and_anything_else_is_not_plain()
    {
        var scan = VocabularyScan.Start(1);
        var random = new Random(15);
        string[] odd = [" ", "  ", "\t", "\n", "\u00A0", "\u00E9", "~", "\u007F", "\u001F"];
        for (var length = 0; length < 50; length++)
            for (var sample = 0; sample < 20; sample++)
            {
                var text = new string([.. Enumerable.Range(0, length).Select(_ => (char)random.Next(0x21, 0x7F))]);
                // Something odd (or harmless) at any place: the first, a block's last or first, the last.
                var at = random.Next(0, length + 1);
                text = text[..at] + odd[random.Next(odd.Length)] + text[at..];
                var plain = text.All(c => c is >= ' ' and <= '~') && !text.Contains("  ", StringComparison.Ordinal);
                Assert.True(plain == PhraseSearch.IsPlain(text), $"\"{text}\"");
                if (!plain) continue;
                Assert.True(OpsConsole.Features.Classification.AsciiAlike.ForPhrases(text));
                Assert.Same(text, PhraseSearch.Normalise(scan, text, out var origin));
                Assert.Null(origin);
            }
    }
}
