using OpsConsole.Features.Collectors;
using OpsConsole.Features.Health;
using OpsConsole.Infrastructure;

if (args is [HealthProbe.Command, ..]) return await HealthProbe.RunAsync(args);
if (args is [CollectCommand.Name, ..]) return await CollectCommand.RunAsync(args);

// --demo is a switch, not a configuration key; the rest of the arguments are configuration as usual.
var demo = args.Contains("--demo");
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    Args = args.Where(a => a != "--demo").ToArray(),
    ContentRootPath = AppContext.BaseDirectory,
});

// The web root is the repository's wwwroot (linked in the csproj); outside Development the build's static
// web assets manifest is what points there. After `dotnet publish` the files sit in wwwroot and this is a no-op.
builder.WebHost.UseStaticWebAssets();
builder.Services.AddOpsConsole(builder.Configuration, demo);

var app = builder.Build();
try
{
    await app.InitializeOpsConsoleAsync();
}
catch (OpsConsole.Data.DatabaseUnwritableException ex)
{
    // One clear log line and a failing exit code, not an unhandled-exception dump and an abort.
    app.Logger.LogCritical("{Problem}", ex.Message);
    // The console logger writes from a queue on its own thread; disposing the host flushes it. Returning without that
    // lost the line on a loaded machine: the process ended with code 1 and said nothing.
    await app.DisposeAsync();
    return 1;
}
app.UseOpsConsole();
await app.RunAsync();
return 0;

/// <summary>Entry point; public so the tests' WebApplicationFactory can host it.</summary>
public partial class Program;
