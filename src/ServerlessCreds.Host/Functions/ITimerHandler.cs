namespace ServerlessCreds.Host.Functions;

/// <summary>
/// The work behind one timer-triggered function. Under the Functions host it runs when the host posts to
/// <c>/{FunctionName}</c>; standalone, a <see cref="TimerListener"/> runs it on <see cref="Schedule"/> (a single instance
/// is assumed there: nothing stops two standalone processes from both running it). Register as
/// <c>services.AddSingleton&lt;ITimerHandler, MyHandler&gt;()</c> and add the matching <c>Functions/{FunctionName}/function.json</c>
/// (<see cref="FunctionDefinition.For(ITimerHandler)"/>).
/// </summary>
public interface ITimerHandler
{
    /// <summary>The Functions function (folder) name, also the invocation route.</summary>
    string FunctionName { get; }

    /// <summary>
    /// NCRONTAB with seconds (6 fields). Standalone mode supports only steps: <c>*/N * * * * *</c> (seconds) and
    /// <c>0 */N * * * *</c> (minutes); anything else fails at start.
    /// </summary>
    string Schedule { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
