using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;
using ServerlessCreds.Scopes;

namespace ServerlessCreds.ExternalApplications;

public sealed record NewExternalApplication(
    string? VendorName,
    string? ApplicationName,
    string? Description,
    IReadOnlyList<string?>? Scopes,
    IReadOnlyList<string?>? CallbackUrls);

public sealed class ExternalApplicationService(IExternalApplicationCatalog catalog, ScopeService scopes, AuditTrail audit)
{
    public Task<Page<ExternalApplication>> ListAsync(PageRequest page, CancellationToken cancellationToken) => catalog.ListAsync(page, cancellationToken);

    public async Task<ExternalApplication> AddAsync(NewExternalApplication request, AuditContext context, CancellationToken cancellationToken)
    {
        var errors = new FieldErrors();
        Text.RequireName(errors, "vendorName", request.VendorName);
        Text.RequireName(errors, "applicationName", request.ApplicationName);
        Text.CheckOptional(errors, "description", request.Description, 0, 1000);
        var resolvedScopes = await ApplicationRules.ResolveScopesAsync(scopes, request.Scopes, errors, cancellationToken);
        var callbackUrls = CallbackUrls.Normalise(request.CallbackUrls ?? [], "callbackUrls", errors);
        errors.ThrowIfAny();

        var application = new ExternalApplication(
            Ids.New(), request.VendorName!, request.ApplicationName!, request.Description ?? "", resolvedScopes, callbackUrls);
        return await audit.RecordChangeAsync(
            context, AuditTrail.PlatformLog, AuditActions.ExternalApplicationCreated, AuditTarget.ExternalApplication(application.Id), async () =>
                application with { Version = await catalog.AddAsync(application, cancellationToken) },
            cancellationToken);
    }
}
