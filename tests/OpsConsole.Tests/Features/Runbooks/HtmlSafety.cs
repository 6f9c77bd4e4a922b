using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace OpsConsole.Tests.Features.Runbooks;

/// <summary>Parses HTML as a browser would and fails on anything that could run script.</summary>
internal static class HtmlSafety
{
    private static readonly string[] UrlAttributes = ["href", "src", "action", "formaction", "xlink:href", "srcdoc", "data"];

    public static void AssertNothingExecutable(string html)
    {
        var document = new HtmlParser().ParseDocument($"<html><body>{html}</body></html>");
        foreach (var element in document.All)
        {
            Assert.False(element.LocalName is "script" or "iframe" or "object" or "embed" or "style" or "base" or "form",
                $"<{element.LocalName}> reached the page: {element.OuterHtml}");
            foreach (var attribute in element.Attributes)
            {
                Assert.False(attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase),
                    $"event handler attribute {attribute.Name} reached the page: {element.OuterHtml}");
                if (UrlAttributes.Contains(attribute.Name, StringComparer.OrdinalIgnoreCase))
                    Assert.True(OpsConsole.Features.Runbooks.RunbookMarkdownRenderer.IsSafeUrl(attribute.Value),
                        $"unsafe URL in {attribute.Name}: {element.OuterHtml}");
            }
        }
    }

    public static IDocument Parse(string html) => new HtmlParser().ParseDocument($"<html><body>{html}</body></html>");
}
