using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Http;

/// <summary>The one place where exceptions become problem responses; nothing else catches to translate.</summary>
sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problems, ILogger<ProblemDetailsExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            DomainException { Kind: DomainErrorKind.Invalid } e => new HttpValidationProblemDetails(e.Errors.ToDictionary()) { Status = 400, Title = "Invalid request", Detail = e.Message },
            DomainException { Kind: DomainErrorKind.Conflict } e => new ProblemDetails { Status = 409, Title = "Conflict", Detail = e.Message },
            DomainException { Kind: DomainErrorKind.VersionMismatch } e => new ProblemDetails { Status = 412, Title = "Precondition failed", Detail = e.Message },
            DependencyUnavailableException e => Unavailable(context, e),
            BadHttpRequestException e => FromBadRequest(e),
            _ => null,
        };

        if (problem is null)
        {
            logger.LogError(exception, "Unhandled exception");
            problem = new ProblemDetails { Status = 500, Title = "Internal error", Detail = "The request failed unexpectedly; it is safe to retry." };
        }

        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    ProblemDetails Unavailable(HttpContext context, DependencyUnavailableException exception)
    {
        logger.LogWarning(exception, "Dependency unavailable: {Dependency}", exception.Dependency);
        context.Response.Headers.RetryAfter = "5";
        return new ProblemDetails { Status = 503, Title = "Service unavailable", Detail = $"The {exception.Dependency} is unavailable. Try again shortly." };
    }

    static ProblemDetails FromBadRequest(BadHttpRequestException exception)
    {
        // Binding failures carry the JSON path of the offending member; name it as a field, never echo the value.
        if (exception.InnerException is JsonException { Path: { Length: > 1 } path })
        {
            var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = ["Is unknown or has the wrong type."] })
            {
                Status = 400, Title = "Invalid request", Detail = "The request body does not match this operation's schema.",
            };
        }

        return exception.StatusCode switch
        {
            413 => new ProblemDetails { Status = 413, Title = "Request body too large", Detail = $"Request bodies are limited to {RequestBodyLimit.MaxBytes / 1024} KiB." },
            415 => new ProblemDetails { Status = 415, Title = "Unsupported media type", Detail = "Send the body as application/json." },
            _ => new ProblemDetails { Status = exception.StatusCode, Title = "Bad request", Detail = "The request could not be read: check the JSON body, query and route values." },
        };
    }
}
