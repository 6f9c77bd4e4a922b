using System.Globalization;
using System.Text;
using Prometheus;

namespace OpsConsole.Features.Collectors;

/// <summary>
/// <c>OpsConsole collect &lt;source&gt; --console URL --key KEY [options]</c>: the same binary as a collector next to
/// a source system, pushing to the console's ingestion API, with its own /healthz and /metrics on --listen.
/// Options are configuration keys in kebab case (--amqp-queue → AmqpQueue); a bare --flag means true.
/// </summary>
public static class CollectCommand
{
    public const string Name = "collect";

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length < 2 || !CollectorProfile.All.TryGetValue(args[1], out var profile))
        {
            await Console.Error.WriteLineAsync(
                $"usage: OpsConsole collect <{string.Join('|', CollectorProfile.All.Keys)}> --console URL --key KEY [options] (see README, Collectors)");
            return 2;
        }

        Dictionary<string, string?> options;
        try
        {
            options = ParseOptions(args[2..]);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        // The console's appsettings.json sits next to the binary; a collector is configured by its options alone.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddEnvironmentVariables("OPSCONSOLE_COLLECTOR_").AddInMemoryCollection(options);
        var settings = builder.Configuration.Get<CollectorSettings>() ?? new CollectorSettings();
        if (settings.Problem() is { } problem)
        {
            await Console.Error.WriteLineAsync(problem);
            return 2;
        }
        builder.WebHost.UseUrls(settings.Listen);
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("System.Net.Http", LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });
        var app = builder.Build();

        CollectorRunner runner;
        try
        {
            runner = new CollectorRunner(profile, settings, builder.Configuration, app.Services.GetRequiredService<ILoggerFactory>(), TimeProvider.System);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        using (runner)
        {
            app.MapGet("/healthz", () => Results.Ok(runner.Status.Snapshot()));
            app.MapMetrics("/metrics");
            await app.StartAsync();
            app.Logger.LogInformation("Collector health on {Address}/healthz, metrics on /metrics", app.Urls.FirstOrDefault());
            try
            {
                await runner.RunAsync(app.Lifetime.ApplicationStopping);
            }
            finally
            {
                await app.StopAsync();
            }
        }
        return 0;
    }

    /// <summary><c>--amqp-queue x</c>, <c>--amqp-queue=x</c> → AmqpQueue=x; a bare <c>--durable</c> → Durable=true.</summary>
    public static Dictionary<string, string?> ParseOptions(IReadOnlyList<string> args)
    {
        var options = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
                throw new ArgumentException($"Unexpected argument '{arg}': options are --name value or --name=value.");
            var equals = arg.IndexOf('=');
            var name = equals > 0 ? arg[2..equals] : arg[2..];
            string value;
            if (equals > 0) value = arg[(equals + 1)..];
            else if (i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal)) value = args[++i];
            else value = "true";
            options[PascalCase(name)] = value;
        }
        return options;
    }

    private static string PascalCase(string kebab)
    {
        var result = new StringBuilder(kebab.Length);
        foreach (var part in kebab.Split('-', StringSplitOptions.RemoveEmptyEntries))
            result.Append(char.ToUpper(part[0], CultureInfo.InvariantCulture)).Append(part[1..]);
        return result.ToString();
    }
}
