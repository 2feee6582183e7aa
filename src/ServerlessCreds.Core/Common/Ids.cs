using System.Security.Cryptography;

namespace ServerlessCreds.Common;

public static class Ids
{
    /// <summary>A resource id: time-ordered (so table rows list in creation order) and safe as a table key and URL segment.</summary>
    public static string New() => Guid.CreateVersion7().ToString("N");

    /// <summary>128 random bits as lowercase hex: unguessable and safe anywhere.</summary>
    public static string NewRandom() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
}
