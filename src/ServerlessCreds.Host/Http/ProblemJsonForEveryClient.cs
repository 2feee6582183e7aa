namespace ServerlessCreds.Host.Http;

/// <summary>
/// Errors are problem+json whatever the request's Accept header asks for: the framework's writer declines an Accept of,
/// say, text/html, which would leave an empty or plain-text error. RFC 9110 lets a server disregard Accept instead of
/// answering 406, and the contract promises problem+json to every client.
/// </summary>
sealed class ProblemJsonForEveryClient(IEnumerable<IProblemDetailsWriter> writers) : IProblemDetailsService
{
    readonly IProblemDetailsWriter[] writers = writers.ToArray();

    public async ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var writer = writers.FirstOrDefault(w => w.CanWrite(context)) ?? writers[0];
        await writer.WriteAsync(context);
    }

    public async ValueTask<bool> TryWriteAsync(ProblemDetailsContext context)
    {
        await WriteAsync(context);
        return true;
    }
}
