using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;

namespace OpsConsole.Tests;

/// <summary>
/// The real app on the real pipeline, with its own SQLite file in a temp folder, migrated at start as in
/// production. Extra settings (rules files, options) can be given per fixture.
/// </summary>
public class OpsConsoleFactory : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-7f3a";

    private readonly Dictionary<string, string?> _settings;

    public OpsConsoleFactory() : this(new Dictionary<string, string?>()) { }

    internal OpsConsoleFactory(Dictionary<string, string?> settings, bool withApiKey = true)
    {
        Directory = Path.Combine(Path.GetTempPath(), "opsconsole-tests", Guid.NewGuid().ToString("n"));
        System.IO.Directory.CreateDirectory(Directory);
        DatabasePath = Path.Combine(Directory, "ops.db");
        _settings = new Dictionary<string, string?>(settings)
        {
            ["ConnectionStrings:OpsConsole"] = $"Data Source={DatabasePath}",
        };
        if (withApiKey) _settings["Ingestion:ApiKeys:0"] = ApiKey;
    }

    public string Directory { get; }
    public string DatabasePath { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    /// <summary>A client that sends the test API key.</summary>
    public HttpClient CreateApiClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiKey);
        return client;
    }

    /// <summary>A direct connection to the fixture's SQLite file, to check what really was written.</summary>
    public SqliteConnection OpenDatabase()
    {
        _ = Services; // starts the host, which creates and migrates the file
        var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        return connection;
    }

    public long Scalar(string sql)
    {
        using var connection = OpenDatabase();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

public static class HttpTestExtensions
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task<HttpResponseMessage> PostJsonTextAsync(this HttpClient client, string url, string json, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue(contentType)));

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new Xunit.Sdk.XunitException($"Expected JSON, got {(int)response.StatusCode}: {text}");
        }
    }

    /// <summary>Every record an ingestion answer lists, read back one by one through <c>GET /api/v1/records/{id}</c>.</summary>
    public static async Task<List<JsonElement>> ReadRecordsAsync(this HttpClient api, JsonElement result)
    {
        var list = new List<JsonElement>();
        foreach (var summary in result.GetProperty("records").EnumerateArray())
            list.Add(await (await api.GetAsync($"/api/v1/records/{summary.GetProperty("id").GetInt64()}")).ReadJsonAsync());
        return list;
    }

    public static async Task<JsonElement> PostOkAsync(this HttpClient client, string url, string json, string contentType = "application/json")
    {
        var response = await client.PostJsonTextAsync(url, json, contentType);
        var body = await response.ReadJsonAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {url} answered {(int)response.StatusCode}: {body}");
        return body;
    }

    public static Task<T?> GetJsonAsync<T>(this HttpClient client, string url) => client.GetFromJsonAsync<T>(url, Json);
}
