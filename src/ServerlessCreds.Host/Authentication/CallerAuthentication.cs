using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Authentication;

public static class CallerAuthentication
{
    /// <summary>The only authentication scheme, and the default one.</summary>
    public const string Scheme = "Bearer";

    /// <summary>
    /// Bearer-token authentication (options from <see cref="BearerTokenOptions.SectionName"/>, validated at start), the
    /// optional App Service principal (<c>Authentication:AppServicePrincipal:Enabled</c>), and authorization.
    /// </summary>
    public static IServiceCollection AddCallerAuthentication(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<BearerTokenOptions>(Scheme)
            .Bind(configuration.GetSection(BearerTokenOptions.SectionName))
            .PostConfigure<TimeProvider>((options, clock) => options.TimeProvider = clock)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<BearerTokenOptions>, BearerTokenOptionsValidator>();

        services.AddHttpClient(OpenIdSigningKeys.HttpClientName, client =>
        {
            client.Timeout = TimeSpan.FromSeconds(10);
            client.MaxResponseContentBufferSize = 1024 * 1024;
        });
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<OpenIdSigningKeys>();
        services.AddHostedService(sp => sp.GetRequiredService<OpenIdSigningKeys>());
        services.AddSingleton(AppServicePrincipal.FromConfiguration(configuration));

        // The core services only: AddAuthentication() would also bring Data Protection, which bearer tokens never use but
        // whose hosted service loads (or creates and writes) a key ring on every cold start.
        services.AddAuthenticationCore(options =>
        {
            options.DefaultScheme = Scheme;
            options.AddScheme<BearerTokenHandler>(Scheme, displayName: null);
        });
        services.AddWebEncoders();
        services.AddAuthorization();
        return services;
    }
}
