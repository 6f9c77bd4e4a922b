using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpsConsole.Features.Ingestion;

namespace OpsConsole.Tests.Features.Ingestion;

public sealed class ApiKeyTests : IClassFixture<OpsConsoleFactory>
{
    private readonly OpsConsoleFactory _factory;

    public ApiKeyTests(OpsConsoleFactory factory) => _factory = factory;

    [Theory]
    [InlineData("/api/v1/container-exits")]
    [InlineData("/api/v1/unit-status")]
    [InlineData("/api/v1/vm-events")]
    public async Task A_wrong_key_is_refused_with_401_problem_details(string url)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "wrong");
        var response = await client.PostJsonTextAsync(url, "{}");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("not valid", problem.GetProperty("detail").GetString());
        Assert.Equal(0, _factory.Scalar("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task A_missing_key_is_refused_on_read_apis_too()
    {
        var response = await _factory.CreateClient().GetAsync("/api/v1/records");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_bearer_token_is_accepted_like_the_header()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", OpsConsoleFactory.ApiKey);
        var response = await client.GetAsync("/api/v1/records");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Without_configured_keys_one_is_generated_logged_once_and_stored_only_as_a_hash()
    {
        var logs = new CapturingLoggerProvider();
        using var factory = new GeneratedKeyFactory(logs);
        _ = factory.CreateClient();

        var line = Assert.Single(logs.Messages, m => m.Contains("Key: ops_", StringComparison.Ordinal));
        var key = line.Split("Key: ")[1].Split(' ')[0];
        Assert.Equal(1, factory.Scalar("SELECT COUNT(*) FROM api_keys"));
        Assert.Equal(0, factory.Scalar($"SELECT COUNT(*) FROM api_keys WHERE CAST(KeyHash AS TEXT) LIKE '%{key}%'"));

        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        await client.PostOkAsync("/api/v1/container-exits", Samples.Read("k8s/podlist-crashloop-oomkilled.json"));
        Assert.True(factory.Services.GetRequiredService<ApiKeyStore>().IsValid(key));
        // An ingestion key sends records and does nothing else.
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/api/v1/records")).StatusCode);
    }

    [Fact]
    public async Task The_printed_try_command_needs_no_file_and_its_body_is_accepted()
    {
        var command = ApiKeyStore.TryCommand("http://localhost:5080/", "ops_abc");

        Assert.Equal("curl -X POST http://localhost:5080/api/v1/container-exits -H 'X-Api-Key: ops_abc' -H 'Content-Type: application/json' "
                     + "-d '{\"source\": \"first-try\", \"instance\": \"web-1\", \"exitCode\": 137, \"reason\": \"OOMKilled\"}'", command);
        Assert.DoesNotContain("@", command);
        var result = await _factory.CreateApiClient().PostOkAsync("/api/v1/container-exits", ApiKeyStore.FirstRecord);
        Assert.Equal("exit.oom-killed", result.GetProperty("records")[0].GetProperty("category").GetString());
    }

    private sealed class GeneratedKeyFactory(CapturingLoggerProvider logs) : OpsConsoleFactory(new Dictionary<string, string?>(), withApiKey: false)
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureLogging(logging => logging.AddProvider(logs));
        }
    }
}

public sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _messages = new();

    public IReadOnlyList<string> Messages => [.. _messages];

    public ILogger CreateLogger(string categoryName) => new Logger(_messages);

    public void Dispose() { }

    private sealed class Logger(System.Collections.Concurrent.ConcurrentQueue<string> messages) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            messages.Enqueue(formatter(state, exception));
    }
}
