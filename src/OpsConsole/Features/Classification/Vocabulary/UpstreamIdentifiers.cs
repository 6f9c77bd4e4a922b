namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The identifiers of one vocabulary table that lead to one category: the first <see cref="Shown"/> in table
/// order, and how many there are in all (an exception table can send dozens to one category).
/// </summary>
public sealed record UpstreamIdentifiers(string Source, string Table, IReadOnlyList<string> Identifiers, int Count)
{
    public const int Shown = 12;

    internal static IReadOnlyDictionary<string, IReadOnlyList<UpstreamIdentifiers>> ByCategory(IEnumerable<SourceVocabulary> vocabularies) =>
        vocabularies
            .SelectMany(v => v.Tables.SelectMany(t => t.Entries.GroupBy(e => e.Category, StringComparer.Ordinal)
                .Select(g => (Category: g.Key, Ids: new UpstreamIdentifiers(v.Source, t.Name,
                    [.. g.Select(e => e.Identifier).Take(Shown)], g.Count())))))
            .GroupBy(p => p.Category, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<UpstreamIdentifiers>)[.. g.Select(p => p.Ids)], StringComparer.Ordinal);
}
