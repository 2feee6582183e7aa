using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ServerlessCreds.Host.Http;

/// <summary>What the served OpenAPI document says about conventions that hold for every operation: bearer tokens, correlation ids, problem bodies.</summary>
static class OpenApiTransformers
{
    public const string BearerScheme = "Bearer";

    const string Description = """
        Errors are RFC 9457 `application/problem+json` with `type`, `title`, `status`, `detail` and `traceId`; validation
        problems (400) add `errors: { "field": ["message", ...] }`. Request bodies are JSON (unknown members get 400) of at
        most 64 KiB (413); the path and query are limited to 8 KiB (414) and all headers together to 32 KiB (431).
        Lists take `pageSize` (1..200, default 50) and an opaque `continuationToken`. Every response carries `X-Correlation-Id`:
        the request's, when it is 1..128 characters of `[A-Za-z0-9-_.:]`, else a new one. 503 answers carry `Retry-After`.
        """;

    public static OpenApiOptions AddServerlessCredsConventions(this OpenApiOptions options) =>
        options.AddDocumentTransformer(DescribeDocument).AddOperationTransformer(DescribeOperation).AddSchemaTransformer(DescribeProblemSchema);

    static Task DescribeDocument(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "ServerlessCreds API";
        document.Info.Version = "v1";
        document.Info.Description = Description;
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An Entra ID access token for the API's audience; its roles and optional `bu` claim decide what the caller may do.",
        };
        return Task.CompletedTask;
    }

    static Task DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] });
            AddResponseHeaderIfDocumented(operation, StatusCodes.Status401Unauthorized, "WWW-Authenticate", "The bearer challenge.");
        }

        ApiResponses.AddRequestHeader(operation, CorrelationId.HeaderName, "Echoed back when 1..128 characters of `[A-Za-z0-9-_.:]`; otherwise the service picks one.");
        foreach (var status in operation.Responses?.Keys.ToList() ?? [])
        {
            ApiResponses.AddResponseHeader(operation, int.Parse(status, CultureInfo.InvariantCulture), CorrelationId.HeaderName, "The request's correlation id, also in the service's logs and audit entries.");
        }

        AddResponseHeaderIfDocumented(operation, StatusCodes.Status503ServiceUnavailable, "Retry-After", "Seconds to wait before retrying.");
        AddResponseHeaderIfDocumented(operation, StatusCodes.Status429TooManyRequests, "Retry-After", "Seconds until the limit's window ends.");
        SortResponses(operation);
        return Task.CompletedTask;
    }

    // Group metadata lands before the handler's own: list responses by status instead, as a reader looks for them.
    static void SortResponses(OpenApiOperation operation)
    {
        if (operation.Responses is not { } responses)
        {
            return;
        }

        var sorted = responses.OrderBy(response => response.Key, StringComparer.Ordinal).ToList();
        responses.Clear();
        foreach (var (status, response) in sorted)
        {
            responses.Add(status, response);
        }
    }

    static void AddResponseHeaderIfDocumented(OpenApiOperation operation, int status, string name, string description)
    {
        if (operation.Responses?.ContainsKey(status.ToString(CultureInfo.InvariantCulture)) == true)
        {
            ApiResponses.AddResponseHeader(operation, status, name, description);
        }
    }

    // Every problem carries traceId (HttpApi's CustomizeProblemDetails); the framework's schema knows only its C# members.
    static Task DescribeProblemSchema(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonTypeInfo.Type == typeof(ProblemDetails) || context.JsonTypeInfo.Type == typeof(HttpValidationProblemDetails))
        {
            schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
            schema.Properties["traceId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's trace id, for support." };
            // Problem types may add members (RFC 9457 extensions); validation problems add errors.
            schema.AdditionalPropertiesAllowed = true;
            schema.AdditionalProperties = null;
        }

        return Task.CompletedTask;
    }
}
