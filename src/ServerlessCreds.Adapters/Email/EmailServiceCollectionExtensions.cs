using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ServerlessCreds.Deliveries;

namespace ServerlessCreds.Adapters.Email;

public static class EmailServiceCollectionExtensions
{
    /// <summary>Sends email through Azure Communication Services, configured by section <c>Email</c> (validated at start).</summary>
    public static IServiceCollection AddCommunicationEmail(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<IEmailSender, CommunicationEmailSender>();
        return services;
    }
}
