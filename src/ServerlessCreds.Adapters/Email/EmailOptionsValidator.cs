using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace ServerlessCreds.Adapters.Email;

/// <summary>Checks the <c>Email</c> section at start. Messages name settings, never their values (the key is a secret).</summary>
internal sealed class EmailOptionsValidator : IValidateOptions<EmailOptions>
{
    public ValidateOptionsResult Validate(string? name, EmailOptions options)
    {
        var failures = new List<string>();
        bool hasEndpoint = !string.IsNullOrWhiteSpace(options.Endpoint);
        bool hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);

        if (hasEndpoint == hasConnectionString)
        {
            failures.Add("Set exactly one of Email:Endpoint (managed identity) or Email:ConnectionString (access key).");
        }
        else if (hasConnectionString)
        {
            if (!CommunicationConnectionString.TryParse(options.ConnectionString!, out var connectionString))
            {
                failures.Add("Email:ConnectionString must look like 'endpoint=https://…;accesskey=<base64 key>'.");
            }
            else if (!IsServiceEndpoint(connectionString!.Endpoint))
            {
                failures.Add("The endpoint in Email:ConnectionString must be an https URL.");
            }
        }
        else if (!Uri.TryCreate(options.Endpoint, UriKind.Absolute, out Uri? endpoint) || !IsServiceEndpoint(endpoint))
        {
            failures.Add("Email:Endpoint must be an https URL such as https://contoso.communication.azure.com.");
        }

        if (!IsEmailAddress(options.SenderAddress))
        {
            failures.Add("Email:SenderAddress must be an email address of a domain connected to the resource.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Plain http is only for a test server on this machine.
    static bool IsServiceEndpoint(Uri endpoint) =>
        endpoint.Scheme == Uri.UriSchemeHttps || (endpoint.Scheme == Uri.UriSchemeHttp && endpoint.IsLoopback);

    static bool IsEmailAddress(string value) =>
        MailAddress.TryCreate(value, out var address) && address.Address == value.Trim() && address.Host.Contains('.', StringComparison.Ordinal);
}
