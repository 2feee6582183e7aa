namespace ServerlessCreds.Adapters.Email;

/// <summary>A parsed <c>endpoint=…;accesskey=…</c> connection string of a Communication Services resource.</summary>
internal sealed record CommunicationConnectionString(Uri Endpoint, byte[] AccessKey)
{
    public static bool TryParse(string value, out CommunicationConnectionString? connectionString)
    {
        connectionString = null;
        string? endpoint = null;
        string? accessKey = null;
        foreach (string part in value.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            // The key is base64 and may end in '=', so split on the first '=' only.
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            string name = part[..equals].Trim();
            string setting = part[(equals + 1)..].Trim();
            if (name.Equals("endpoint", StringComparison.OrdinalIgnoreCase))
            {
                endpoint = setting;
            }
            else if (name.Equals("accesskey", StringComparison.OrdinalIgnoreCase))
            {
                accessKey = setting;
            }
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? endpointUri) || accessKey is null)
        {
            return false;
        }

        byte[] key = new byte[accessKey.Length];
        if (!Convert.TryFromBase64String(accessKey, key, out int keyLength) || keyLength == 0)
        {
            return false;
        }

        connectionString = new CommunicationConnectionString(endpointUri, key[..keyLength]);
        return true;
    }
}
