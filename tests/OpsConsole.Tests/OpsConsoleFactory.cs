using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Identity;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace OpsConsole.Tests;

/// <summary>
/// The real app on the real pipeline, with its own SQLite file in a temp folder (or, as
/// <see cref="Data.Postgres.PostgresConsoleFactory"/>, its own PostgreSQL database), migrated at start as in
/// production. Extra settings (rules files, options) can be given per fixture. The initial admin is configured, and
/// <see cref="ApiKey"/> is a scoped key with every scope; <see cref="IngestionKey"/> is an ingestion-only key.
/// </summary>
public class OpsConsoleFactory : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-key-7f3a";
    public const string IngestionKey = "test-ingest-only-2c9d";
    public const string AdminEmail = "admin@test.local";
    public const string Password = "correct-horse-42";

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
        _settings.TryAdd("Auth:InitialAdmin:Email", AdminEmail);
        _settings.TryAdd("Auth:InitialAdmin:Password", Password);
        if (!withApiKey) return;
        _settings["Ingestion:ApiKeys:0"] = IngestionKey;
        _settings["Auth:ApiKeys:0:Name"] = "tests";
        _settings["Auth:ApiKeys:0:Key"] = ApiKey;
        _settings["Auth:ApiKeys:0:Scopes:0"] = "ingest";
        _settings["Auth:ApiKeys:0:Scopes:1"] = "read";
        _settings["Auth:ApiKeys:0:Scopes:2"] = "operate";
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

    /// <summary>Makes a local user with that role (password <see cref="Password"/>) unless it exists; gives its email.</summary>
    public async Task<string> EnsureUserAsync(string role, string? email = null)
    {
        email ??= $"{role.ToLowerInvariant()}@test.local";
        using var scope = Services.CreateScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        if (await users.FindByEmailAsync(email) is not null) return email;
        var user = new IdentityUser { UserName = email, Email = email, EmailConfirmed = true };
        var created = await users.CreateAsync(user, Password);
        Assert.True(created.Succeeded, string.Join(" ", created.Errors.Select(e => e.Description)));
        Assert.True((await users.AddToRoleAsync(user, role)).Succeeded);
        return email;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<HttpClient>>> _signedIn = new();

    /// <summary>
    /// A client (cookies kept) signed in through the real sign-in form as a user with that role; one per role and
    /// fixture, since sign-in is rate-limited per client address like in production.
    /// </summary>
    public Task<HttpClient> SignedInClientAsync(string role) =>
        _signedIn.GetOrAdd(role, r => new Lazy<Task<HttpClient>>(() => NewSignedInClientAsync(r))).Value;

    public async Task<HttpClient> NewSignedInClientAsync(string role)
    {
        var email = await EnsureUserAsync(role, role == "Admin" ? AdminEmail : null);
        var client = CreateClient();
        var response = await client.SignInAsync(email, Password);
        Assert.True(response.RequestMessage?.RequestUri?.AbsolutePath != "/account/signin",
            $"signing in as {email} failed: {response.RequestMessage?.RequestUri}");
        return client;
    }

    /// <summary>A direct connection to the fixture's database, to check what really was written.</summary>
    public DbConnection OpenDatabase()
    {
        _ = Services; // starts the host, which creates and migrates the database
        var connection = NewConnection();
        connection.Open();
        return connection;
    }

    /// <summary>The connection <see cref="OpenDatabase"/> opens: the SQLite file, unpooled so the folder can be deleted.</summary>
    protected virtual DbConnection NewConnection() => new SqliteConnection($"Data Source={DatabasePath};Pooling=False");

    /// <summary>Sets (or replaces) a setting before the host starts.</summary>
    protected void Configure(string key, string? value) => _settings[key] = value;

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

    /// <summary>Posts the sign-in form with the antiforgery token the sign-in page gave; answers where it ended up.</summary>
    public static async Task<HttpResponseMessage> SignInAsync(this HttpClient client, string email, string password, string returnUrl = "/")
    {
        var page = await client.GetStringAsync("/account/signin");
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "the sign-in page carries an antiforgery token");
        return await client.PostAsync("/account/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["email"] = email,
            ["password"] = password,
            ["returnUrl"] = returnUrl,
        }));
    }

    public static Task<T?> GetJsonAsync<T>(this HttpClient client, string url) => client.GetFromJsonAsync<T>(url, Json);
}
