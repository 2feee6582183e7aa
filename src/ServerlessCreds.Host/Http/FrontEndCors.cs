using Microsoft.Extensions.Options;
using ServerlessCreds.Host.Functions;

namespace ServerlessCreds.Host.Http;

/// <summary>The <c>Cors</c> section: the web front ends allowed to call the API from a browser.</summary>
public sealed class FrontEndCorsOptions
{
    public const string SectionName = "Cors";

    /// <summary>Origins such as <c>https://portal.example.com</c>; plain http only for localhost. Empty: no CORS headers at all.</summary>
    public string[] AllowedOrigins { get; set; } = [];
}

/// <summary>
/// CORS for the configured front-end origins when the handler runs standalone. Under the Azure Functions host the
/// platform's CORS setting answers instead (two layers would send the headers twice), so it must list the same origins.
/// </summary>
static class FrontEndCors
{
    public static IServiceCollection AddFrontEndCors(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FrontEndCorsOptions>().Bind(configuration.GetSection(FrontEndCorsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FrontEndCorsOptions>, FrontEndCorsOptionsValidator>();
        var origins = FunctionsHostPort.IsUnderFunctionsHost(configuration)
            ? []
            : configuration.GetSection(FrontEndCorsOptions.SectionName).Get<FrontEndCorsOptions>()?.AllowedOrigins ?? [];
        if (origins.Length > 0)
        {
            // Bearer tokens, not cookies: no credentials mode, so no origin can ride on a user's ambient session.
            services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
                .WithOrigins(origins)
                .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
                .WithHeaders("Authorization", "Content-Type", "If-Match", "Idempotency-Key", CorrelationId.HeaderName)
                .WithExposedHeaders("ETag", "Location", "Retry-After", CorrelationId.HeaderName, Idempotency.ReplayedHeaderName)
                .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
        }

        return services;
    }

    /// <summary>Answers preflights and adds CORS headers only when origins are configured (and not under the Functions host).</summary>
    public static IApplicationBuilder UseFrontEndCors(this IApplicationBuilder app) =>
        app.ApplicationServices.GetService<Microsoft.AspNetCore.Cors.Infrastructure.ICorsService>() is null ? app : app.UseCors();
}

sealed class FrontEndCorsOptionsValidator : IValidateOptions<FrontEndCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, FrontEndCorsOptions options)
    {
        var failures = options.AllowedOrigins.Where(origin => !IsOrigin(origin))
            .Select(origin => $"Cors:AllowedOrigins: '{origin}' is not an origin: use https://host[:port] (http only for localhost), with no path, query or trailing slash.")
            .ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    static bool IsOrigin(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.Host is "localhost" or "127.0.0.1"))
        && uri.UserInfo.Length == 0
        && string.Equals(origin, uri.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
}
