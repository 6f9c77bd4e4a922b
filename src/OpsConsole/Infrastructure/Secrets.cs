using System.Security.Cryptography;
using System.Text;

namespace OpsConsole.Infrastructure;

/// <summary>How the console makes, stores and checks secrets (ingestion keys, embed tokens): random, hashed, compared in constant time.</summary>
public static class Secrets
{
    public static string New(string prefix) =>
        prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));

    /// <summary>Compares against every candidate without stopping early, so timing says nothing about which one matched.</summary>
    public static bool MatchesAny(string? presented, IEnumerable<byte[]> hashes)
    {
        if (string.IsNullOrEmpty(presented)) return false;
        var hash = Hash(presented);
        var valid = false;
        foreach (var candidate in hashes)
            valid |= CryptographicOperations.FixedTimeEquals(hash, candidate);
        return valid;
    }
}
