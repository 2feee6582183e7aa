using Microsoft.AspNetCore.Http.HttpResults;

namespace ServerlessCreds.Host.Http;

static class Problems
{
    public static ProblemHttpResult NotFound(string resource) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: $"No such {resource} in this business unit.");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden", detail: detail);
}
