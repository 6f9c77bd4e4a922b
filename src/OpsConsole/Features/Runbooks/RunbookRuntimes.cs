using Markdig.Syntax;
using OpsConsole.Features.Records;
using OpsConsole.Sources;

namespace OpsConsole.Features.Runbooks;

/// <summary>
/// Which runtimes a runbook command block is for. A fence names them after its language,
/// <c>```sh for=kubernetes,docker</c>, by the <c>source</c> their records carry; a block without <c>for=</c>
/// applies everywhere. Opened from a record, a runbook keeps only the blocks for that record's source, and a
/// checklist step whose blocks were all for other runtimes is left out with them.
/// </summary>
public static class RunbookRuntimes
{
    private const string Prefix = "for=";

    /// <summary>The runtimes a block declares; empty when it declares none (every runtime).</summary>
    public static IReadOnlyList<string> Of(FencedCodeBlock block)
    {
        var declaration = (block.Arguments ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .FirstOrDefault(a => a.StartsWith(Prefix, StringComparison.Ordinal));
        return declaration is null ? [] : declaration[Prefix.Length..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    /// <summary>Whether a block is shown for <paramref name="runtime"/>; a null runtime (no record, or a sender the console does not know) shows all.</summary>
    public static bool AppliesTo(FencedCodeBlock block, string? runtime) =>
        runtime is null || Of(block) is not { Count: > 0 } runtimes || runtimes.Contains(runtime, StringComparer.Ordinal);

    /// <summary>The runtime a record's runbook is filtered to: its source when the console knows it, else none.</summary>
    public static string? Of(EventRecord record) => SourceProfiles.IsKnownSource(record.Source) ? record.Source : null;

    /// <summary>The runtimes <c>for=</c> may name: the sources the console knows.</summary>
    public static IEnumerable<string> Known => SourceProfiles.All.Select(p => p.Source).Where(s => s.Length > 0);
}
