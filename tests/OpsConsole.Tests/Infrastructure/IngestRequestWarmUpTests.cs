using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Features.Ingestion;
using OpsConsole.Infrastructure;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>The start-up requests go through the real ingest endpoints with a key of their own, store nothing, and leave no key behind.</summary>
public sealed class IngestRequestWarmUpTests
{
    [Fact]
    public async Task Each_ingest_endpoint_answers_the_empty_batch_and_nothing_is_stored()
    {
        using var factory = new OpsConsoleFactory();
        using var http = factory.CreateClient();
        var key = ApiKeyStore.NewKey();

        var answers = await IngestRequestWarmUp.PostEmptyBatchesAsync(http, factory.Services.GetRequiredService<ApiKeyStore>(), key, CancellationToken.None);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.OK, IngestRequestWarmUp.Endpoints.Length), answers);
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, factory.Scalar("SELECT COUNT(*) FROM instance_states"));
        // The key was accepted for those requests only.
        using var after = new HttpRequestMessage(HttpMethod.Post, "/api/v1/container-exits") { Content = JsonContent.Create(Array.Empty<object>()) };
        after.Headers.Add("X-Api-Key", key);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(after)).StatusCode);
    }

    [Fact]
    public async Task A_key_given_back_is_refused_and_the_others_stay()
    {
        using var factory = new OpsConsoleFactory();
        _ = factory.CreateClient();
        var keys = factory.Services.GetRequiredService<ApiKeyStore>();
        var (kept, removed) = (ApiKeyStore.NewKey(), ApiKeyStore.NewKey());
        keys.AddLocal(kept);
        keys.AddLocal(removed);

        keys.RemoveLocal(removed);

        Assert.False(keys.IsValid(removed));
        Assert.True(keys.IsValid(kept));
        Assert.True(keys.IsValid(OpsConsoleFactory.IngestionKey));
    }
}
