using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace OpsConsole.Features.Health;

/// <summary>
/// The overall status on the first line, then one "check: description" line per check that is not healthy,
/// so a probe still reads "Healthy" and an operator reading /readyz sees what is wrong.
/// </summary>
internal static class HealthReportText
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        var text = new System.Text.StringBuilder(report.Status.ToString());
        foreach (var (name, entry) in report.Entries)
            if (entry.Status != HealthStatus.Healthy)
                text.Append('\n').Append(name).Append(": ").Append(entry.Status).Append(": ").Append(entry.Description);
        return context.Response.WriteAsync(text.ToString());
    }
}
