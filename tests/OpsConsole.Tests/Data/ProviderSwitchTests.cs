using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpsConsole.Data;
using OpsConsole.Data.Notices;
using OpsConsole.Data.Postgres;
using OpsConsole.Data.Sqlite;

namespace OpsConsole.Tests.Data;

/// <summary>Database:Provider picks the store; a setting the console cannot honour stops start-up with what to fix.</summary>
public sealed class ProviderSwitchTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection().AddSingleton(TimeProvider.System).AddLogging().AddOpsDatabase(configuration).BuildServiceProvider();
    }

    [Theory]
    [InlineData(null, typeof(SqliteRecordStore), typeof(OpsDbContext))]
    [InlineData("sqlite", typeof(SqliteRecordStore), typeof(OpsDbContext))]
    [InlineData("Postgres", typeof(PostgresRecordStore), typeof(PostgresDbContext))]
    [InlineData("postgres", typeof(PostgresRecordStore), typeof(PostgresDbContext))]
    public void The_provider_setting_chooses_the_store_and_the_context(string? provider, Type store, Type context)
    {
        using var services = Build(new()
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:OpsConsole"] = provider?.StartsWith('p') == true || provider?.StartsWith('P') == true
                ? "Host=127.0.0.1;Database=unused" : $"Data Source={Path.Combine(Path.GetTempPath(), "opsconsole-switch.db")}",
        });
        Assert.NotNull(services.GetRequiredService(store));
        Assert.IsType<AnnouncingRecordStore>(services.GetRequiredService<IRecordStore>());
        using var db = services.GetRequiredService<IDbContextFactory<OpsDbContext>>().CreateDbContext();
        Assert.IsType(context, db);
    }

    [Theory]
    [InlineData("Oracle")]
    [InlineData("1")]
    public void An_unknown_provider_is_refused_with_the_ones_that_exist(string provider)
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Database:Provider"] = provider }));
        Assert.Contains($"'{provider}' is not supported", error.Message);
        Assert.Contains("'Postgres'", error.Message);
    }

    [Fact]
    public void Postgres_without_a_connection_string_is_refused_with_an_example()
    {
        var error = Assert.Throws<InvalidOperationException>(() => Build(new() { ["Database:Provider"] = "Postgres" }));
        Assert.Contains("ConnectionStrings:OpsConsole is not set", error.Message);
        Assert.Contains("Host=", error.Message);
    }
}
