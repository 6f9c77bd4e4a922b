namespace OpsConsole.Data;

/// <summary>The database exists but cannot be written; start-up stops with this message and exit code 1.</summary>
public sealed class DatabaseUnwritableException(string message, Exception inner) : Exception(message, inner);
