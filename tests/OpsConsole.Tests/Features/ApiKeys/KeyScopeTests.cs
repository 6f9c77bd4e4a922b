using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.ApiKeys;

namespace OpsConsole.Tests.Features.ApiKeys;

/// <summary>Each API needs its scope; a 403 names the missing one; stored keys expire, are revoked and record their use.</summary>
public sealed class KeyScopeTests : IClassFixture<KeyScopeTests.Factory>
{
    private const string ReadKey = "read-only-key-51";
    private const string OperateKey = "operate-only-key-77";
    private const string HashedKey = "hashed-ingest-key-03";

    public sealed class Factory() : OpsConsoleFactory(new Dictionary<string, string?>
    {
        ["Auth:ApiKeys:1:Name"] = "dashboards",
        ["Auth:ApiKeys:1:Key"] = ReadKey,
        ["Auth:ApiKeys:1:Scopes:0"] = "read",
        ["Auth:ApiKeys:2:Name"] = "runbook bot",
        ["Auth:ApiKeys:2:Key"] = OperateKey,
        ["Auth:ApiKeys:2:Scopes:0"] = "operate",
        ["Auth:ApiKeys:3:Name"] = "edge sender",
        ["Auth:ApiKeys:3:KeyHash"] = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(HashedKey))),
        ["Auth:ApiKeys:3:Scopes:0"] = "ingest",
    });

    private readonly Factory _factory;

    public KeyScopeTests(Factory factory) => _factory = factory;

    private HttpClient Client(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static async Task AssertMissingScopeAsync(HttpResponseMessage response, string scope)
    {
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(scope, problem.GetProperty("missingScope").GetString());
        Assert.Contains($"'{scope}'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_read_key_reads_but_neither_ingests_nor_acknowledges()
    {
        var read = Client(ReadKey);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/records")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await read.GetAsync("/api/v1/audit")).StatusCode);
        await AssertMissingScopeAsync(await read.PostJsonTextAsync("/api/v1/container-exits", """{"source":"docker","instance":"a","host":"h","exitCode":1}"""), "ingest");
        await AssertMissingScopeAsync(await read.PutAsJsonAsync("/api/v1/instances/docker%2Fh%2Fa/acknowledgement", new { status = "muted" }), "operate");
        await AssertMissingScopeAsync(await read.PostAsync("/api/v1/reclassify", null), "operate");
    }

    [Fact]
    public async Task Ingestion_keys_and_hashed_keys_only_ingest()
    {
        foreach (var key in new[] { OpsConsoleFactory.IngestionKey, HashedKey })
        {
            var client = Client(key);
            await client.PostOkAsync("/api/v1/container-exits?host=scopes", """{"source":"docker","instance":"ingest-only","exitCode":1}""");
            await AssertMissingScopeAsync(await client.GetAsync("/api/v1/instances/failing"), "read");
        }
    }

    [Fact]
    public async Task An_operate_key_starts_reclassification_and_is_named_in_the_audit_trail()
    {
        Assert.Equal(HttpStatusCode.Accepted, (await Client(OperateKey).PostAsync("/api/v1/reclassify", null)).StatusCode);
        Assert.True(_factory.Scalar("SELECT COUNT(*) FROM audit_log WHERE Action = 'reclassify' AND Actor = 'key:runbook bot'") >= 1);
    }

    [Fact]
    public async Task Stored_keys_expire_are_revoked_and_record_when_they_were_last_used()
    {
        var store = _factory.Services.GetRequiredService<AccessKeyStore>();
        var (key, secret) = await store.CreateAsync("short-lived", [KeyScopes.Read], DateTimeOffset.UtcNow.AddHours(1), "admin@test.local", CancellationToken.None);
        var (_, expired) = await store.CreateAsync("expired", [KeyScopes.Read], DateTimeOffset.UtcNow.AddMilliseconds(-1), "admin@test.local", CancellationToken.None);
        Assert.Equal(0, _factory.Scalar($"SELECT COUNT(*) FROM access_keys WHERE CAST(KeyHash AS TEXT) LIKE '%{secret}%' OR Name LIKE '%{secret}%'"));

        Assert.Equal(HttpStatusCode.OK, (await Client(secret).GetAsync("/api/v1/records")).StatusCode);
        Assert.Equal(1, _factory.Scalar($"SELECT COUNT(*) FROM access_keys WHERE Id = {key.Id} AND LastUsedAt IS NOT NULL"));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(expired).GetAsync("/api/v1/records")).StatusCode);

        Assert.Equal("short-lived", await store.RevokeAsync(key.Id, CancellationToken.None));
        Assert.Equal(HttpStatusCode.Unauthorized, (await Client(secret).GetAsync("/api/v1/records")).StatusCode);
    }

    [Fact]
    public async Task Unknown_scopes_are_refused()
    {
        var store = _factory.Services.GetRequiredService<AccessKeyStore>();
        await Assert.ThrowsAsync<ArgumentException>(() => store.CreateAsync("bad", ["admin"], null, "admin@test.local", CancellationToken.None));
    }
}
