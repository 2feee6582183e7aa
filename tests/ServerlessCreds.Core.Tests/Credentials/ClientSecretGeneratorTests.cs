using System.Security.Cryptography;
using ServerlessCreds.Credentials;

namespace ServerlessCreds.Core.Tests.Credentials;

public sealed class ClientSecretGeneratorTests
{
    private const int Draws = 2_000;

    // Chi-square critical value for 61 degrees of freedom at p = 1e-6: a fair generator fails about once in a million runs.
    private const double CriticalChiSquare = 129.0;

    [Fact]
    public void Secrets_are_40_characters_of_letters_and_digits()
    {
        for (var i = 0; i < 1_000; i++)
        {
            var secret = ClientSecretGenerator.Generate();

            Assert.Equal(40, secret.Length);
            Assert.All(secret, c => Assert.True(char.IsAsciiLetterOrDigit(c), $"'{c}' is outside [A-Za-z0-9]"));
        }
    }

    [Fact]
    public void Secrets_do_not_repeat()
    {
        var secrets = Enumerable.Range(0, 10_000).Select(_ => ClientSecretGenerator.Generate()).ToHashSet();

        Assert.Equal(10_000, secrets.Count);
    }

    [Fact]
    public void Every_character_of_the_alphabet_is_equally_likely()
    {
        var statistic = ChiSquare(Enumerable.Range(0, Draws).Select(_ => ClientSecretGenerator.Generate()));

        Assert.True(statistic < CriticalChiSquare, $"chi-square {statistic:F1} >= {CriticalChiSquare}: characters are not uniform");
    }

    [Fact]
    public void The_uniformity_check_rejects_a_modulo_biased_generator()
    {
        // byte % 62 favours the first 8 characters (5/256 instead of 4/256); the check above must notice that.
        static string Biased() => new(RandomNumberGenerator.GetBytes(40).Select(b => ClientSecretGenerator.Alphabet[b % 62]).ToArray());

        var statistic = ChiSquare(Enumerable.Range(0, Draws).Select(_ => Biased()));

        Assert.True(statistic > CriticalChiSquare, $"chi-square {statistic:F1} did not expose the bias");
    }

    private static double ChiSquare(IEnumerable<string> secrets)
    {
        var counts = ClientSecretGenerator.Alphabet.ToDictionary(c => c, _ => 0);
        var total = 0;
        foreach (var c in secrets.SelectMany(s => s))
        {
            counts[c]++;
            total++;
        }

        var expected = (double)total / counts.Count;
        return counts.Values.Sum(observed => (observed - expected) * (observed - expected) / expected);
    }
}
