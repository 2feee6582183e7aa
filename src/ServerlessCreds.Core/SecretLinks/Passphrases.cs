using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ServerlessCreds.SecretLinks;

/// <summary>PBKDF2-SHA256 hashes for link passphrases; the iteration count travels with the hash so it can be raised later.</summary>
public static class Passphrases
{
    public const int MinLength = 8;
    public const int MaxLength = 128;
    const int Iterations = 210_000;
    const int SaltBytes = 16;
    const int HashBytes = 32;

    public static string Hash(string passphrase)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(passphrase), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"pbkdf2-sha256${Iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string passphrase, string stored)
    {
        var parts = stored.Split('$');
        if (parts is not ["pbkdf2-sha256", var iterations, var salt, var hash])
        {
            return false;
        }

        var expected = Convert.FromBase64String(hash);
        var actual = Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(passphrase), Convert.FromBase64String(salt), int.Parse(iterations, CultureInfo.InvariantCulture), HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
