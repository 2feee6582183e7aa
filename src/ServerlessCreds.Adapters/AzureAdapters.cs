using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ServerlessCreds.Adapters.Email;
using ServerlessCreds.Adapters.KeyVault;
using ServerlessCreds.Adapters.LocalDevelopment;
using ServerlessCreds.Adapters.Queues;
using ServerlessCreds.Adapters.Storage;
using ServerlessCreds.Adapters.Tables;
using ServerlessCreds.Applications;
using ServerlessCreds.Audit;
using ServerlessCreds.Common;
using ServerlessCreds.Credentials;
using ServerlessCreds.Deliveries;
using ServerlessCreds.ExternalApplications;
using ServerlessCreds.Scopes;
using ServerlessCreds.SecretLinks;

namespace ServerlessCreds.Adapters;

public static class AzureAdapters
{
    /// <summary>
    /// Registers the Azure-backed implementations of the domain's ports. Without a configured Key Vault or email service,
    /// the Development environment falls back to the local development vault and outbox; any other environment fails
    /// validation at start.
    /// </summary>
    public static IServiceCollection AddAzureAdapters(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        if (environment.IsDevelopment() && string.IsNullOrEmpty(configuration[$"{KeyVaultOptions.SectionName}:VaultUri"]))
        {
            services.AddLocalDevelopmentVault(configuration);
        }
        else
        {
            services.AddKeyVaultSecretVault(configuration);
            services.AddSingleton(sp => (IHealthProbe)sp.GetRequiredService<ISecretVault>());
        }

        services.AddSingleton(sp => (ILinkKeySource)sp.GetRequiredService<ISecretVault>());

        if (environment.IsDevelopment() && !configuration.GetSection(EmailOptions.SectionName).Exists())
        {
            services.AddOutboxEmail();
        }
        else
        {
            services.AddCommunicationEmail(configuration);
        }

        var storage = configuration.GetSection(StorageOptions.SectionName);
        services.AddOptions<StorageOptions>()
            .Configure(options =>
            {
                options.ConnectionString = storage.Value;
                options.AccountName = storage["accountName"];
                options.TableServiceUri = Uri.TryCreate(storage["tableServiceUri"], UriKind.Absolute, out var tables) ? tables : null;
                options.QueueServiceUri = Uri.TryCreate(storage["queueServiceUri"], UriKind.Absolute, out var queues) ? queues : null;
                options.ClientId = storage["clientId"];
            })
            .Validate(options => options.IsValid, "Set AzureWebJobsStorage (connection string) or AzureWebJobsStorage__accountName / __tableServiceUri and __queueServiceUri.")
            // A mistyped URI must not quietly fall back to the account's public endpoint.
            .Validate(_ => IsAbsoluteUriOrUnset(storage["tableServiceUri"]), "AzureWebJobsStorage__tableServiceUri must be an absolute URI.")
            .Validate(_ => IsAbsoluteUriOrUnset(storage["queueServiceUri"]), "AzureWebJobsStorage__queueServiceUri must be an absolute URI.")
            .ValidateOnStart();

        services.AddSingleton(sp => CreateAccount(sp.GetRequiredService<IOptions<StorageOptions>>().Value));
        services.AddSingleton(sp => new StorageTables(name => new TableClient(sp.GetRequiredService<StorageAccount>(), name)));
        services.AddSingleton<IScopeCatalog, TableScopeCatalog>();
        services.AddSingleton<IExternalApplicationCatalog, TableExternalApplicationCatalog>();
        services.AddSingleton<IApplicationStore, TableApplicationStore>();
        services.AddSingleton<IClientIdRegistry, TableClientIdRegistry>();
        services.AddSingleton<IDeliveryStore, TableDeliveryStore>();
        services.AddSingleton<IAuditLog, TableAuditLog>();
        services.AddSingleton(sp => new SecretEmailRequests(new QueueClient(sp.GetRequiredService<StorageAccount>(), SecretEmailRequests.QueueName)));
        services.AddSingleton<ISecretEmailRequests>(sp => sp.GetRequiredService<SecretEmailRequests>());
        services.AddSingleton<IHealthProbe, TableStorageProbe>();
        services.AddSingleton<IHealthProbe, QueueStorageProbe>();
        return services;
    }

    static bool IsAbsoluteUriOrUnset(string? value) => string.IsNullOrEmpty(value) || Uri.TryCreate(value, UriKind.Absolute, out _);

    static StorageAccount CreateAccount(StorageOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            return StorageAccount.Parse(options.ConnectionString);
        }

        var tables = options.TableServiceUri ?? new Uri($"https://{options.AccountName}.table.core.windows.net");
        var queues = options.QueueServiceUri ?? new Uri($"https://{options.AccountName}.queue.core.windows.net");
        return new StorageAccount(tables, queues, Credential(options.ClientId));
    }

    /// <summary>
    /// How every adapter authenticates with Entra ID: the user-assigned managed identity when its client id is configured
    /// (in Azure, so nothing else in the default chain can answer instead); otherwise the default chain (developer logins locally).
    /// </summary>
    public static TokenCredential Credential(string? managedIdentityClientId) =>
        string.IsNullOrWhiteSpace(managedIdentityClientId)
            ? new DefaultAzureCredential()
            : new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(managedIdentityClientId));
}
