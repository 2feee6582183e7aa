using Microsoft.Extensions.Options;

namespace ServerlessCreds.Host.Functions;

public static class FunctionTriggers
{
    /// <summary>
    /// Registers the queue and timer trigger plumbing for the registered <see cref="IQueueMessageHandler"/>s and
    /// <see cref="ITimerHandler"/>s. Under the Functions host the host polls and posts to <c>/{FunctionName}</c>
    /// (<see cref="FunctionTriggerEndpoints.MapFunctionTriggers"/>); standalone, background listeners do the host's job
    /// with options from section <c>Queues</c> (validated at start).
    /// </summary>
    public static IServiceCollection AddFunctionTriggers(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<IQueueMessageHandler, SendSecretEmailFunction>();
        services.AddSingleton<ITimerHandler, PurgeExpiredFunction>();
        services.AddSingleton<FunctionQueues>();
        if (!FunctionsHostPort.IsUnderFunctionsHost(configuration))
        {
            services.AddOptions<QueueTriggerOptions>().Bind(configuration.GetSection(QueueTriggerOptions.SectionName)).ValidateOnStart();
            services.AddSingleton<IValidateOptions<QueueTriggerOptions>, QueueTriggerOptionsValidator>();
            services.AddHostedService<TriggerListeners>();
        }

        return services;
    }
}
