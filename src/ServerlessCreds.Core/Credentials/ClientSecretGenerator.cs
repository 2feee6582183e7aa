using System.Security.Cryptography;

namespace ServerlessCreds.Credentials;

public static class ClientSecretGenerator
{
    public const int Length = 40;

    public const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>A new client secret: 40 characters drawn uniformly from [A-Za-z0-9] by the CSPRNG (about 238 bits).</summary>
    // GetString samples each character without modulo bias (62 does not divide 256, so byte % 62 would be biased).
    public static string Generate() => RandomNumberGenerator.GetString(Alphabet, Length);
}
