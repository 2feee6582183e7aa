// ServerlessCreds on Azure: a Flex Consumption function app (custom handler) that reaches storage, Key Vault and
// Communication Services with one user-assigned managed identity. No keys or connection strings are handed out.
targetScope = 'resourceGroup'

@minLength(1)
@maxLength(32)
@description('Short name of this environment (e.g. "dev", "prod"); part of every resource name.')
param environmentName string

@description('Region of the regional resources. Flex Consumption is available in a subset of regions.')
param location string = resourceGroup().location

// Tokens are checked against the v2.0 issuer, and v2.0 access tokens carry the API's client id as `aud` (the
// App ID URI, e.g. api://serverlesscreds, only appears in v1.0 tokens), so this differs per tenant: pass it with -p.
@minLength(1)
@description('Client id of the API\'s Entra app registration: the `aud` of the access tokens callers present.')
param apiAudience string

@description('Entra tenant that issues the API tokens.')
param entraTenantId string = tenant().tenantId

@minValue(1)
@maxValue(1000)
@description('Upper bound on Flex Consumption instances (current docs: 1 to 1000; older docs said at least 40).')
param maximumInstanceCount int = 100

@allowed([512, 2048, 4096])
@description('Memory of each Flex Consumption instance.')
param instanceMemoryMB int = 2048

@description('Where Communication Services stores data at rest.')
param emailDataLocation string = 'United States'

@description('Turn on App Service Authentication (Easy Auth) with Entra ID in front of the handler.')
param enableAppServiceAuth bool = false

@description('Client id of the app registration Easy Auth validates tokens for (usually the API\'s, i.e. apiAudience); required when enableAppServiceAuth is true.')
param authClientId string = ''

var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName))
var tags = { 'serverlesscreds-environment': environmentName }
var deploymentContainerName = 'app-package'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${environmentName}'
  location: location
  tags: tags
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    deploymentContainerName: deploymentContainerName
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    logAnalyticsName: 'log-${environmentName}-${resourceToken}'
    applicationInsightsName: 'appi-${environmentName}-${resourceToken}'
    location: location
    tags: tags
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyVault'
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
  }
}

module email 'modules/email.bicep' = {
  name: 'email'
  params: {
    emailServiceName: 'ecs-${environmentName}-${resourceToken}'
    communicationServiceName: 'acs-${environmentName}-${resourceToken}'
    dataLocation: emailDataLocation
    tags: tags
  }
}

module rbac 'modules/rbac.bicep' = {
  name: 'rbac'
  params: {
    principalId: identity.properties.principalId
    storageAccountName: storage.outputs.name
    keyVaultName: keyVault.outputs.name
    communicationServiceName: email.outputs.communicationServiceName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  params: {
    name: 'func-${environmentName}-${resourceToken}'
    location: location
    tags: tags
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    keyVaultUri: keyVault.outputs.vaultUri
    emailEndpoint: email.outputs.endpoint
    emailSenderAddress: email.outputs.senderAddress
    apiAudience: apiAudience
    entraTenantId: entraTenantId
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
    enableAppServiceAuth: enableAppServiceAuth
    authClientId: authClientId
  }
  // The handler opens tables and queues at start; granting the roles first avoids a first start full of 403s.
  dependsOn: [rbac]
}

output functionAppName string = functionApp.outputs.name
output functionAppUrl string = functionApp.outputs.url
output keyVaultUri string = keyVault.outputs.vaultUri
output emailSenderAddress string = email.outputs.senderAddress
