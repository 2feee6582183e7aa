using Microsoft.AspNetCore.Http.HttpResults;
using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Host.Authentication;

namespace ServerlessCreds.Host.Http;

/// <summary>
/// The contract's permission rules: endpoints name what they need, and <see cref="UseCallerAccess"/> decides it right after
/// authentication, before the endpoint reads its body, so a caller without permission gets 403 whatever it sends.
/// </summary>
static class CallerAccess
{
    sealed record BusinessUnitRole(string Role);

    sealed class PlatformAdminOnly;

    public static Caller GetCaller(this HttpContext context)
    {
        if (context.Items[typeof(Caller)] is not Caller caller)
        {
            context.Items[typeof(Caller)] = caller = context.User.ToCaller();
        }

        return caller;
    }

    /// <summary>Business-unit routes: the caller needs <paramref name="role"/> in the route's business unit (or a platform role that covers it).</summary>
    public static RouteHandlerBuilder RequireBusinessUnitRole(this RouteHandlerBuilder builder, string role) =>
        builder.WithMetadata(new BusinessUnitRole(role))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    public static RouteHandlerBuilder RequirePlatformAdmin(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new PlatformAdminOnly())
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

    /// <summary>Runs after authorization (which answers anonymous callers with 401) and before the endpoint binds anything.</summary>
    public static IApplicationBuilder UseCallerAccess(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (Refusal(context) is { } refusal)
            {
                await refusal.ExecuteAsync(context);
                return;
            }

            await next(context);
        });

    static ProblemHttpResult? Refusal(HttpContext context)
    {
        var metadata = context.GetEndpoint()?.Metadata;
        if (metadata?.GetMetadata<PlatformAdminOnly>() is not null && !context.GetCaller().IsPlatformAdmin)
        {
            return Problems.Forbidden($"This needs the {Roles.PlatformAdmin} role.");
        }

        if (metadata?.GetMetadata<BusinessUnitRole>() is not { Role: var role })
        {
            return null;
        }

        var businessUnit = (string)context.GetRouteValue("bu")!;
        if (!context.GetCaller().MayAct(businessUnit, role))
        {
            return Problems.Forbidden($"This needs the {role} role in business unit '{businessUnit}'.");
        }

        // A malformed id names no business unit that can exist; answer as for any other unknown resource.
        return BusinessUnits.IsValid(businessUnit) ? null : Problems.Create(StatusCodes.Status404NotFound, "Not found", "No such business unit.");
    }
}
