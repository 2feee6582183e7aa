using Microsoft.AspNetCore.Http.HttpResults;

namespace ServerlessCreds.Host.Http;

static class Problems
{
    public static ProblemHttpResult Create(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    public static ProblemHttpResult NotFound(string resource) =>
        Create(StatusCodes.Status404NotFound, "Not found", $"No such {resource} in this business unit.");

    public static ProblemHttpResult Forbidden(string detail) =>
        Create(StatusCodes.Status403Forbidden, "Forbidden", detail);
}
