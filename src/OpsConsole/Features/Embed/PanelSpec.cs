using OpsConsole.Features.Instances;

namespace OpsConsole.Features.Embed;

/// <summary>Which panel to show and with what options, as /embed URLs carry them; <see cref="Note"/> says what was ignored.</summary>
public sealed record PanelSpec(string Panel, FailingView View, int Limit, string? Title, string? Key = null, string? Note = null)
{
    public static IReadOnlyList<string> Panels { get; } = ["failing", "summary", "category", "instance", "sources"];

    /// <summary>Rows a panel loads without <c>?limit=</c>; it shows as many of them as fit the screen (app.js).</summary>
    public const int DefaultLimit = 100;

    public static int ClampLimit(int? limit) => Math.Clamp(limit ?? DefaultLimit, 1, DefaultLimit);

    /// <summary>
    /// One panel from a URL or a rotation entry (<c>failing</c>, <c>category/{id}</c>, <c>instance/{key}</c>). A category
    /// panel ignores a family the category is not in (and says so) rather than showing nothing.
    /// </summary>
    public static PanelSpec From(string entry, FailingView view, int limit, string? title)
    {
        if (entry.StartsWith("category/", StringComparison.Ordinal)) return ForCategory(entry["category/".Length..], view, limit, title);
        if (entry.StartsWith("instance/", StringComparison.Ordinal))
            return new PanelSpec("instance", view, limit, title, Uri.UnescapeDataString(entry["instance/".Length..]));
        return new PanelSpec(entry, view, limit, title);
    }

    public static PanelSpec ForCategory(string category, FailingView view, int limit, string? title)
    {
        var family = Classification.Taxonomy.Find(category)?.Family;
        var note = view.Family is { } asked && family is not null && asked != family
            ? $"family={asked} ignored: {category} is in family {family}" : null;
        return new PanelSpec("category", view with { Category = category, Family = note is null ? view.Family : null }, limit, title, Note: note);
    }
}
