namespace ServerlessCreds.Common;

public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);

/// <summary>A validated page request: <see cref="Size"/> is 1..200.</summary>
public sealed record PageRequest(int Size, string? ContinuationToken)
{
    public const int DefaultSize = 50;
    public const int MaxSize = 200;

    public static PageRequest Create(int? size, string? continuationToken)
    {
        var actual = size ?? DefaultSize;
        if (actual is < 1 or > MaxSize)
        {
            throw DomainException.Invalid("pageSize", $"Must be between 1 and {MaxSize}.");
        }

        return new PageRequest(actual, string.IsNullOrEmpty(continuationToken) ? null : continuationToken);
    }

    public static DomainException InvalidContinuation() => DomainException.Invalid("continuationToken", "Is not a token this list returned.");
}
