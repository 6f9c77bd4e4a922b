namespace OpsConsole.Features.Health;

/// <summary>
/// <c>OpsConsole healthcheck [url]</c>: exits 0 when the URL answers 2xx. The runtime image has no curl,
/// so the container healthcheck calls the app itself.
/// </summary>
public static class HealthProbe
{
    public const string Command = "healthcheck";
    public const string DefaultUrl = "http://127.0.0.1:5080/healthz";

    public static async Task<int> RunAsync(string[] args)
    {
        var url = args.Length > 1 ? args[1] : DefaultUrl;
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            using var response = await http.GetAsync(url);
            Console.WriteLine($"{url}: {(int)response.StatusCode}");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"{url}: {ex.Message}");
            return 1;
        }
    }
}
