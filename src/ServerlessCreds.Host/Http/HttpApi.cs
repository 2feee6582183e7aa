using System.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing.Matching;
using ServerlessCreds.Host.Api;
using ServerlessCreds.Host.Startup;

namespace ServerlessCreds.Host.Http;

/// <summary>The contract's HTTP conventions: problem+json errors, strict JSON, correlation ids, body limit, OpenAPI.</summary>
static class HttpApi
{
    public static IServiceCollection AddHttpApi(this IServiceCollection services)
    {
        services.Configure<JsonOptions>(options =>
        {
            // Generated code only, no reflection fallback: the trimmed package turns reflection-based serialization off,
            // so a type missing from ApiJsonContext must fail the in-process tests too, not only the deployed handler.
            options.SerializerOptions.TypeInfoResolverChain.Clear();
            options.SerializerOptions.TypeInfoResolverChain.Add(ApiJsonContext.Default);
            options.SerializerOptions.UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow;
            options.SerializerOptions.AllowDuplicateProperties = false;
            options.SerializerOptions.MaxDepth = 32;
            options.SerializerOptions.NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.Strict;
        });
        // Binding failures throw so that the exception handler answers them as problem+json naming the field.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            context.ProblemDetails.Type ??= $"https://httpstatuses.io/{context.ProblemDetails.Status}";
            context.ProblemDetails.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddSingleton<IProblemDetailsService, ProblemJsonForEveryClient>();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();
        services.AddSingleton<IdempotencyStore>();
        services.AddRequestLimits();
        services.AddOpenApi(options => options.AddServerlessCredsConventions());
        // Routing would answer a body's wrong Content-Type with 415 before authorization and CallerAccess run; without this
        // policy, binding checks the Content-Type after them (and answers it as problem+json with a detail).
        services.Remove(services.Single(d => d.ServiceType == typeof(MatcherPolicy) && d.ImplementationType?.Name == "AcceptsMatcherPolicy"));
        return services;
    }

    public static WebApplication UseHttpApi(this WebApplication app)
    {
        app.UseCorrelationId();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        app.UseRequestBodyLimit();
        app.UseFrontEndCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseCallerAccess();
        app.UseQueryValidation();
        app.UseRateLimiter();
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments("/api") && !context.Request.Path.StartsWithSegments("/api/health"),
            api => api.Use(async (context, next) =>
            {
                await context.RequestServices.GetRequiredService<StorageInitializer>().WaitUntilReadyAsync(context.RequestAborted);
                await next(context);
            }));
        app.UseIdempotency();
        return app;
    }

    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder routes)
    {
        routes.MapOpenApi("/api/openapi.json").WithName("GetOpenApiDocument").AllowAnonymous().ExcludeFromDescription();
        return routes;
    }
}
