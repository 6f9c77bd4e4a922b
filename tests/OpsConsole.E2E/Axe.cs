using System.Text.Json;
using Microsoft.Playwright;
using OpsConsole.Tests.Infrastructure;

namespace OpsConsole.E2E;

/// <summary>
/// Runs axe-core (npm, pinned in package-lock.json; <c>npm ci</c> in this folder installs it) inside a page and
/// returns its serious and critical violations, one readable line each.
/// </summary>
public static class Axe
{
    private static readonly Lazy<string> Script = new(() =>
    {
        var path = Path.Combine(Repository.Root, "tests", "OpsConsole.E2E", "node_modules", "axe-core", "axe.min.js");
        return File.Exists(path) ? File.ReadAllText(path)
            : throw new InvalidOperationException($"{path} is missing: run `npm ci --prefix tests/OpsConsole.E2E` (.ci/run does).");
    });

    public static async Task<IReadOnlyList<string>> SeriousViolationsAsync(IPage page) => await RunAsync(page.MainFrame);

    public static async Task<IReadOnlyList<string>> RunAsync(IFrame frame)
    {
        // Injected as the page's own inline scripts are, with the response's nonce: the content security policy blocks any other.
        await frame.EvaluateAsync("""
            source => {
              const script = document.createElement('script');
              script.nonce = document.querySelector('script[nonce]')?.nonce ?? '';
              script.textContent = source;
              document.head.appendChild(script);
            }
            """, Script.Value);
        var json = await frame.EvaluateAsync<string>("""
            async () => {
              const result = await axe.run(document, { resultTypes: ['violations'] });
              return JSON.stringify(result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + (n.failureSummary || '').replace(/\s+/g, ' ')), count: v.nodes.length })));
            }
            """);
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(v =>
            $"{v.GetProperty("impact").GetString()} {v.GetProperty("id").GetString()} ×{v.GetProperty("count").GetInt32()}: {v.GetProperty("help").GetString()} — "
            + string.Join(" | ", v.GetProperty("nodes").EnumerateArray().Select(n => n.GetString()))).ToList();
    }
}
