using System.Text;

namespace ServerlessCreds.Deliveries;

/// <summary>One email to one recipient. The bodies carry a one-time link, so they never appear in <see cref="ToString"/>.</summary>
public sealed record EmailMessage(string RecipientAddress, string? RecipientName, string Subject, string PlainText, string Html)
{
    bool PrintMembers(StringBuilder builder)
    {
        builder.Append("RecipientAddress = ").Append(RecipientAddress).Append(", Subject = ").Append(Subject);
        return true;
    }
}
