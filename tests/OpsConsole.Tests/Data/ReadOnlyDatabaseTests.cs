namespace OpsConsole.Tests.Data;

/// <summary>
/// A database the console cannot write stops start-up with one log line naming the file and exit code 1 —
/// not an unhandled-exception dump and an abort (SIGABRT, exit 134), and not a console that looks up while
/// refusing every acknowledgement.
/// </summary>
[Collection(Infrastructure.ConsoleProcess.Collection)]
public sealed class ReadOnlyDatabaseTests : IDisposable
{
    private const string Key = "read-only-test-key";
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "opsconsole-readonly", Guid.NewGuid().ToString("n"));

    public ReadOnlyDatabaseTests() => Directory.CreateDirectory(_directory);

    [Fact]
    public async Task A_file_on_a_read_only_mount_ends_start_up_with_a_clear_message()
    {
        var database = Path.Combine(_directory, "ops.db");
        if (!Infrastructure.HostCommand.Run("mount", "-t", "tmpfs", "-o", "size=20m", "tmpfs", _directory))
        {
            await A_read_only_connection_ends_start_up_with_a_clear_message();
            return;
        }
        try
        {
            await using (var first = Infrastructure.ConsoleProcess.Start(database, Key))
            {
                await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
                first.Crash();
            }
            // Nothing holds the file open now, so the whole file system can turn read-only, as a failing disk does.
            // The killed process's files close a moment after it is reaped.
            var readOnly = false;
            for (var attempt = 0; attempt < 50 && !readOnly; attempt++)
            {
                readOnly = Infrastructure.HostCommand.Run("mount", "-o", "remount,ro", _directory);
                if (!readOnly) await Task.Delay(200);
            }
            Assert.True(readOnly, "remount read-only");

            await using var second = Infrastructure.ConsoleProcess.Start(database, Key);
            Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.True(second.Output.Contains("cannot be written", StringComparison.Ordinal), second.Output);
            Assert.Contains(database, second.Output);
            Assert.DoesNotContain("Unhandled exception", second.Output);
        }
        finally
        {
            Infrastructure.HostCommand.Run("umount", "-l", _directory);
        }
    }

    /// <summary>Where no file system can be mounted: SQLite's own read-only open gives the same refusal.</summary>
    [Fact]
    public async Task A_read_only_connection_ends_start_up_with_a_clear_message()
    {
        var database = Path.Combine(_directory, "opened-read-only.db");
        await using (var first = Infrastructure.ConsoleProcess.Start(database, Key))
        {
            await first.WaitHealthyAsync(TimeSpan.FromSeconds(120));
            first.Crash();
        }

        await using var second = Infrastructure.ConsoleProcess.Start(database, Key, null, $"--ConnectionStrings:OpsConsole=Data Source={database};Mode=ReadOnly");
        Assert.Equal(1, await second.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("cannot be written", second.Output);
        Assert.Contains("readonly database", second.Output);
        Assert.DoesNotContain("Unhandled exception", second.Output);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }
}
