namespace ServerlessCreds.Adapters.Email;

/// <summary>
/// Settings of section <c>Email</c>: the Communication Services resource, reached either with an access key
/// (<see cref="ConnectionString"/>) or with a managed identity (<see cref="Endpoint"/>), and the verified sender.
/// </summary>
public sealed class EmailOptions
{
    public const string SectionName = "Email";

    /// <summary>Resource endpoint, e.g. <c>https://contoso.communication.azure.com</c>; authenticates with Entra ID.</summary>
    public string? Endpoint { get; set; }

    /// <summary><c>endpoint=https://…;accesskey=…</c>; when set, requests are signed with the access key instead of Entra ID.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>An address of a domain connected to the resource, e.g. <c>DoNotReply@mail.contoso.com</c>.</summary>
    public string SenderAddress { get; set; } = "";

    /// <summary>Client id of the user-assigned managed identity to use with <see cref="Endpoint"/>.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
