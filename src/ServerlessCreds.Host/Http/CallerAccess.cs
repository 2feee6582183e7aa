using ServerlessCreds.Callers;
using ServerlessCreds.Common;
using ServerlessCreds.Host.Authentication;

namespace ServerlessCreds.Host.Http;

/// <summary>The contract's permission rules, applied per endpoint after authentication.</summary>
static class CallerAccess
{
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
        builder.AddEndpointFilter(async (invocation, next) =>
        {
            var context = invocation.HttpContext;
            var businessUnit = (string)context.GetRouteValue("bu")!;
            if (!context.GetCaller().MayAct(businessUnit, role))
            {
                return Problems.Forbidden($"This needs the {role} role in business unit '{businessUnit}'.");
            }

            // A malformed id names no business unit that can exist; answer as for any other unknown resource.
            return BusinessUnits.IsValid(businessUnit) ? await next(invocation) : Problems.NotFound("business unit");
        })
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden);

    public static RouteHandlerBuilder RequirePlatformAdmin(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (invocation, next) =>
            invocation.HttpContext.GetCaller().IsPlatformAdmin
                ? await next(invocation)
                : Problems.Forbidden($"This needs the {Roles.PlatformAdmin} role."))
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden);
}
