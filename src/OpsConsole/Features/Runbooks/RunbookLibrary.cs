using System.Security.Cryptography;
using System.Text;
using Markdig;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Microsoft.Extensions.Options;
using OpsConsole.Features.Classification;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace OpsConsole.Features.Runbooks;

/// <summary>
/// The runbooks: the shipped Markdown files plus the operator's folder (<see cref="RunbookOptions.ExtraPath"/>),
/// whose sections win. The operator folder is fingerprinted on every read, so an edit shows on the next page load.
/// </summary>
public sealed class RunbookLibrary(IOptions<RunbookOptions> options, ILogger<RunbookLibrary> logger)
{
    public const string ShippedFolder = "Features/Runbooks/Content";

    private static readonly MarkdownPipeline StructurePipeline = new MarkdownPipelineBuilder().UseYamlFrontMatter().Build();
    private static readonly IDeserializer FrontMatterReader = new DeserializerBuilder()
        .WithNamingConvention(CamelCaseNamingConvention.Instance).IgnoreUnmatchedProperties().Build();

    private readonly Lock _gate = new();
    private Snapshot? _current;

    /// <summary>The section for a category, or null when no runbook covers it.</summary>
    public RunbookSection? Find(string categoryId) => Current.Sections.GetValueOrDefault(categoryId);

    public IReadOnlyDictionary<string, RunbookSection> Sections => Current.Sections;

    /// <summary>What was wrong with the files last read (logged too); the shipped files must have none.</summary>
    public IReadOnlyList<string> Problems => Current.Problems;

    private Snapshot Current
    {
        get
        {
            var extra = options.Value.ExtraPath;
            var fingerprint = Fingerprint(extra);
            lock (_gate)
            {
                if (_current is null || _current.Fingerprint != fingerprint)
                {
                    _current = Load(extra, fingerprint);
                    foreach (var problem in _current.Problems) logger.LogWarning("Runbooks: {Problem}", problem);
                }
                return _current;
            }
        }
    }

    private sealed record Snapshot(string Fingerprint, IReadOnlyDictionary<string, RunbookSection> Sections, IReadOnlyList<string> Problems);

    private static Snapshot Load(string? extraPath, string fingerprint)
    {
        var sections = new Dictionary<string, RunbookSection>(StringComparer.Ordinal);
        var problems = new List<string>();
        var shipped = Path.Combine(AppContext.BaseDirectory, ShippedFolder);
        foreach (var file in MarkdownFiles(shipped))
            AddFile(file, isLocal: false, sections, problems);
        // Operator files come last so their sections replace the shipped ones.
        if (extraPath is { Length: > 0 })
        {
            if (!Directory.Exists(extraPath)) problems.Add($"{extraPath}: the folder does not exist.");
            foreach (var file in MarkdownFiles(extraPath))
                AddFile(file, isLocal: true, sections, problems);
        }
        return new Snapshot(fingerprint, sections, problems);
    }

    private static IEnumerable<string> MarkdownFiles(string folder) =>
        Directory.Exists(folder) ? Directory.EnumerateFiles(folder, "*.md").Order(StringComparer.Ordinal) : [];

    private static void AddFile(string path, bool isLocal, Dictionary<string, RunbookSection> sections, List<string> problems)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (IOException e)
        {
            problems.Add($"{path}: {e.Message}");
            return;
        }
        foreach (var section in Parse(path, isLocal, text, problems))
            sections[section.CategoryId] = section;
    }

    /// <summary>Splits a runbook file into its category sections; problems name the file and what is wrong.</summary>
    public static IReadOnlyList<RunbookSection> Parse(string path, bool isLocal, string text, List<string> problems)
    {
        text = text.Replace("\r\n", "\n");
        var document = Markdown.Parse(text, StructurePipeline);
        var meta = ReadFrontMatter(path, document, problems);
        var headings = document.OfType<HeadingBlock>().Where(h => h.Level == 2).ToList();
        var bodyStart = document.OfType<YamlFrontMatterBlock>().FirstOrDefault() is { } front ? front.Span.End + 1 : 0;
        var introEnd = headings.Count > 0 ? headings[0].Span.Start : text.Length;
        var intro = text[Math.Min(bodyStart, introEnd)..introEnd].Trim();
        var owner = new RunbookDocument(path, isLocal, meta, intro);

        var result = new List<RunbookSection>();
        for (var i = 0; i < headings.Count; i++)
        {
            var heading = text[headings[i].Span.Start..(headings[i].Span.End + 1)].TrimStart('#', ' ').Trim();
            var id = heading.Split([' ', '\t'], 2)[0];
            var end = i + 1 < headings.Count ? headings[i + 1].Span.Start : text.Length;
            if (!Taxonomy.IsKnown(id) || id == Taxonomy.None)
            {
                problems.Add($"{path}: section '{heading}' does not start with a category id from the taxonomy.");
                continue;
            }
            var title = heading[id.Length..].TrimStart(' ', '\u2014', '-', ':').Trim();
            result.Add(new RunbookSection(id, title.Length > 0 ? title : Taxonomy.Find(id)!.Title,
                text[(headings[i].Span.End + 1)..end].Trim(), owner));
        }

        foreach (var code in document.Descendants<FencedCodeBlock>())
            foreach (var runtime in RunbookRuntimes.Of(code).Except(RunbookRuntimes.Known))
                problems.Add($"{path}: a command block is for '{runtime}', which is not a source the console knows ({string.Join(", ", RunbookRuntimes.Known)}).");

        var declared = meta.Categories.ToHashSet(StringComparer.Ordinal);
        var present = result.Select(s => s.CategoryId).ToHashSet(StringComparer.Ordinal);
        foreach (var missing in declared.Except(present))
            problems.Add($"{path}: front matter lists '{missing}' but the file has no section for it.");
        foreach (var undeclared in present.Except(declared))
            problems.Add($"{path}: section '{undeclared}' is not listed in the front matter's categories.");
        return result;
    }

    private static RunbookFrontMatter ReadFrontMatter(string path, MarkdownDocument document, List<string> problems)
    {
        if (document.OfType<YamlFrontMatterBlock>().FirstOrDefault() is not { } block)
        {
            problems.Add($"{path}: no YAML front matter (title, owner, lastReviewed, categories).");
            return new RunbookFrontMatter();
        }
        try
        {
            var meta = FrontMatterReader.Deserialize<RunbookFrontMatter?>(block.Lines.ToString()) ?? new RunbookFrontMatter();
            if (meta.Title.Length == 0) problems.Add($"{path}: front matter has no title.");
            if (meta.Owner.Length == 0) problems.Add($"{path}: front matter has no owner.");
            if (!DateOnly.TryParse(meta.LastReviewed, out _)) problems.Add($"{path}: front matter lastReviewed is not a date.");
            return meta;
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            problems.Add($"{path}: front matter is not valid YAML ({e.Message}).");
            return new RunbookFrontMatter();
        }
    }

    private static string Fingerprint(string? folder)
    {
        if (folder is not { Length: > 0 } || !Directory.Exists(folder)) return folder ?? "";
        var text = new StringBuilder(folder);
        foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*.md").OrderBy(f => f.Name, StringComparer.Ordinal))
            text.Append('|').Append(file.Name).Append(':').Append(file.Length).Append(':').Append(file.LastWriteTimeUtc.Ticks);
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
