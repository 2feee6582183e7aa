using System.Security.Cryptography;
using System.Text;

namespace ServerlessCreds.Adapters.Storage;

/// <summary>An account name and its decoded key; deliberately has no member that could print the key.</summary>
internal sealed class StorageSharedKey(string accountName, byte[] key)
{
    public string AccountName { get; } = accountName;

    public string Sign(string stringToSign) =>
        Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

    public override string ToString() => AccountName;
}
