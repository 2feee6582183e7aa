namespace ServerlessCreds.Host.Tests.Authentication;

/// <summary>A clock the test moves by hand.</summary>
sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    DateTimeOffset now = now;

    public override DateTimeOffset GetUtcNow() => now;

    public void Advance(TimeSpan by) => now += by;
}
