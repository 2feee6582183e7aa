using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessCreds.Adapters.Email;

internal sealed record SendEmailRequest(
    string SenderAddress,
    EmailRecipients Recipients,
    EmailContent Content,
    bool UserEngagementTrackingDisabled);

internal sealed record EmailRecipients(IReadOnlyList<EmailAddress> To);

internal sealed record EmailAddress(string Address, string? DisplayName);

internal sealed record EmailContent(string Subject, string PlainText, string Html);

internal sealed record ErrorResponse(ErrorDetail? Error);

internal sealed record ErrorDetail(string? Code, string? Message);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(SendEmailRequest))]
[JsonSerializable(typeof(ErrorResponse))]
internal sealed partial class EmailJsonContext : JsonSerializerContext;
