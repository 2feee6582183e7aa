using ServerlessCreds.Audit;

namespace ServerlessCreds.Host.Http;

static class RequestAudit
{
    /// <summary>The signed-in caller and this request's correlation id, for the services that audit what they change.</summary>
    public static AuditContext GetAuditContext(this HttpContext context)
    {
        var caller = context.GetCaller();
        return new AuditContext(new AuditActor(caller.Id, caller.Name), CorrelationId.Get(context));
    }

    /// <summary>The anonymous holder of a one-time link and this request's correlation id.</summary>
    public static AuditContext GetLinkHolderAuditContext(this HttpContext context) => new(AuditActor.LinkHolder, CorrelationId.Get(context));
}
