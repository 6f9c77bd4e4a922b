using System.Diagnostics;

namespace OpsConsole.Tests.Infrastructure;

/// <summary>Runs a command of the machine (mount, umount) for tests that need one; false where it is missing or fails.</summary>
public static class HostCommand
{
    public static bool Run(string command, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(command) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var arg in args) info.ArgumentList.Add(arg);
            using var process = Process.Start(info)!;
            process.WaitForExit(10_000);
            return process.ExitCode == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
