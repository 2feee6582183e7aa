using Microsoft.OpenApi;

namespace ServerlessCreds.Host.Http;

/// <summary>
/// OpenAPI metadata for what the conventions around a handler answer, which its return type cannot say: the problems
/// of reading a body, unknown resources, storage outages, and the headers a response carries.
/// </summary>
static class ApiResponses
{
    /// <summary>Routes behind storage: 503 while storage, the vault or the queue is unreachable.</summary>
    public static TBuilder ProducesUnavailable<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>Routes naming a resource (or a business unit): 404 when it does not exist there, or its id is malformed.</summary>
    public static TBuilder ProducesNotFound<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesProblem(StatusCodes.Status404NotFound);

    /// <summary>A JSON request body: 400 naming the fields (invalid, unknown or mistyped members), 413 over 64 KiB, 415 when it is not JSON.</summary>
    public static RouteHandlerBuilder ProducesBodyProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

    /// <summary>Adding or removing an application's scope: 400 for a scope it cannot take or lose, 412 when the application changed meanwhile.</summary>
    public static RouteHandlerBuilder ProducesScopeChangeProblems(this RouteHandlerBuilder builder) =>
        builder.ProducesValidationProblem().ProducesProblem(StatusCodes.Status412PreconditionFailed);

    /// <summary>HTML pages for a reader's browser, one per status.</summary>
    public static RouteHandlerBuilder ProducesPages(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
        {
            builder.Produces<string>(status, "text/html");
        }

        return builder;
    }

    /// <summary>
    /// An optional form body, described without Accepts metadata: that would also make routing refuse other content types,
    /// while the handler reads the form itself and treats anything else as no passphrase.
    /// </summary>
    public static RouteHandlerBuilder DescribesFormBody<TForm>(this RouteHandlerBuilder builder) =>
        builder.AddOpenApiOperationTransformer(async (operation, context, cancellationToken) =>
        {
            var schema = await context.GetOrCreateSchemaAsync(typeof(TForm), cancellationToken: cancellationToken);
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = false,
                Content = new Dictionary<string, OpenApiMediaType> { ["application/x-www-form-urlencoded"] = new() { Schema = schema } },
            };
        });

    /// <summary>The response to <paramref name="status"/> carries the resource's ETag (the version a following If-Match names).</summary>
    public static RouteHandlerBuilder WithETag(this RouteHandlerBuilder builder, int status) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddResponseHeader(operation, status, "ETag", "The resource's version, for a following `If-Match`.");
            return Task.CompletedTask;
        });

    /// <summary>The response to <paramref name="status"/> carries the created resource's URL.</summary>
    public static RouteHandlerBuilder WithLocation(this RouteHandlerBuilder builder, int status) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddResponseHeader(operation, status, "Location", "The created resource's path.");
            return Task.CompletedTask;
        });

    /// <summary>Honours If-Match: 412 when it names another version than the current one.</summary>
    public static RouteHandlerBuilder AcceptsIfMatch(this RouteHandlerBuilder builder) =>
        builder.ProducesProblem(StatusCodes.Status412PreconditionFailed).AddOpenApiOperationTransformer((operation, _, _) =>
        {
            AddRequestHeader(operation, "If-Match", "An `ETag` this resource answered earlier, or `*`; the change applies only if it is still the current version, else 412.");
            return Task.CompletedTask;
        });

    public static void AddRequestHeader(OpenApiOperation operation, string name, string description)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(new OpenApiParameter
        {
            Name = name, In = ParameterLocation.Header, Required = false, Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
    }

    public static void AddResponseHeader(OpenApiOperation operation, int status, string name, string description)
    {
        if (operation.Responses?.GetValueOrDefault(status.ToString(System.Globalization.CultureInfo.InvariantCulture)) is not OpenApiResponse response)
        {
            throw new InvalidOperationException($"Operation {operation.OperationId} documents no {status} response to add the {name} header to.");
        }

        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }
}
