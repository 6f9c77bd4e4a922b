namespace OpsConsole.Features.Classification.Vocabulary;

/// <summary>
/// The YAML shape of a source's vocabulary file: the upstream system's own identifiers (exception classes,
/// event reasons, error codes, fixed phrases) mapped to taxonomy ids. Tables are tried in file order.
/// </summary>
public sealed class VocabularyFile
{
    public int Version { get; set; } = 1;
    public string? Source { get; set; }

    /// <summary>Record kinds of any source the file applies to (shared tables, e.g. exit codes); without it, records of <see cref="Source"/>.</summary>
    public List<string?>? Kinds { get; set; }
    public List<Dictionary<string, string>?>? Provenance { get; set; }

    /// <summary>What the researcher learnt about the system's payloads that the tables cannot say.</summary>
    public List<string?>? Notes { get; set; }
    public List<VocabularyTableDefinition?>? Tables { get; set; }
}

public sealed class VocabularyTableDefinition
{
    /// <summary>What kind of identifier the table holds: exception, waiting-reason, curl-strerror…</summary>
    public string? Name { get; set; }

    /// <summary>Record fields the identifier may appear in (see <see cref="RecordFields"/>).</summary>
    public List<string?>? LookIn { get; set; }

    /// <summary><c>exact</c>: the field is the identifier; <c>word</c>: the identifier appears in it as a whole word or phrase.</summary>
    public string? Match { get; set; }

    public string? Note { get; set; }

    /// <summary>The identifiers are generic states that say only "failed"; they decide after every specific rule and table.</summary>
    public bool Generic { get; set; }

    /// <summary>Identifier → category, severity and free-form facts about it (note, parents, upstream text…).</summary>
    public Dictionary<string, Dictionary<string, string?>?>? Entries { get; set; }
}
