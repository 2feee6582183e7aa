// Flex Consumption (Linux) function app running the self-contained ASP.NET Core custom handler.
param name string
param location string
param tags object
@description('Resource id of the user-assigned identity the app runs as.')
param identityId string
param identityClientId string
param storageAccountName string
param deploymentContainerName string
param applicationInsightsName string
param keyVaultUri string
param emailEndpoint string
param emailSenderAddress string
param apiAudience string
param entraTenantId string
param maximumInstanceCount int
param instanceMemoryMB int
param enableAppServiceAuth bool
param authClientId string

// Tokens from the v2.0 endpoint carry this as their issuer; environment() keeps it right in sovereign clouds.
var entraAuthority = '${environment().authentication.loginEndpoint}${entraTenantId}/v2.0'

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: 'plan-${name}'
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: { reserved: true }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      // Flex takes the runtime here, not from FUNCTIONS_WORKER_RUNTIME.
      runtime: {
        name: 'custom'
        version: '1.0'
      }
    }
  }
}

// A child resource rather than siteConfig.appSettings: PublicBaseUrl needs the site's own default host name.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    AzureWebJobsStorage__accountName: storage.name
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storage.properties.primaryEndpoints.blob
    AzureWebJobsStorage__queueServiceUri: storage.properties.primaryEndpoints.queue
    AzureWebJobsStorage__tableServiceUri: storage.properties.primaryEndpoints.table
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsights.properties.ConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    AZURE_CLIENT_ID: identityClientId
    Authentication__Schemes__Bearer__Authority: entraAuthority
    Authentication__Schemes__Bearer__ValidIssuer: entraAuthority
    Authentication__Schemes__Bearer__ValidAudiences__0: apiAudience
    Authentication__AppServicePrincipal__Enabled: string(enableAppServiceAuth)
    KeyVault__VaultUri: keyVaultUri
    KeyVault__ManagedIdentityClientId: identityClientId
    Email__Endpoint: emailEndpoint
    Email__SenderAddress: emailSenderAddress
    Email__ManagedIdentityClientId: identityClientId
    PublicBaseUrl: 'https://${functionApp.properties.defaultHostName}'
  }
}

// Easy Auth validates tokens and forwards X-MS-CLIENT-PRINCIPAL but lets anonymous requests through: health,
// OpenAPI and the one-time secret pages are anonymous by contract, and the handler answers 401/403 itself.
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = if (enableAppServiceAuth) {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: { enabled: true }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: entraAuthority
        }
        validation: { allowedAudiences: [apiAudience] }
      }
    }
    login: { tokenStore: { enabled: false } }
  }
  // Two config writes to one site at once can conflict.
  dependsOn: [appSettings]
}

output name string = functionApp.name
output url string = 'https://${functionApp.properties.defaultHostName}'
