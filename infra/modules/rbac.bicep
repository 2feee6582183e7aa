// Every role the function app's identity holds, each on the narrowest resource that works.
@description('Object (principal) id of the function app\'s user-assigned identity.')
param principalId string
param storageAccountName string
param keyVaultName string
param communicationServiceName string
param applicationInsightsName string

// Built-in role definition ids (learn.microsoft.com/azure/role-based-access-control/built-in-roles), listed once.
var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88' // Storage Queue Data Contributor
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3' // Storage Table Data Contributor
  keyVaultSecretsOfficer: 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7' // Key Vault Secrets Officer
  communicationAndEmailServiceOwner: '09976791-48a7-449e-bb21-39d1a415f350' // Communication and Email Service Owner
  monitoringMetricsPublisher: '3913510d-42f4-4e42-8a64-420c390055eb' // Monitoring Metrics Publisher
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' existing = {
  name: keyVaultName
}

resource communicationService 'Microsoft.Communication/communicationServices@2023-04-01' existing = {
  name: communicationServiceName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var assignments = [
  // Deployment package container, and the host's own blobs (leases, keys).
  { roleId: roles.storageBlobDataOwner, scope: storage.id }
  // secret-emails trigger, including moving messages to the poison queue.
  { roleId: roles.storageQueueDataContributor, scope: storage.id }
  { roleId: roles.storageTableDataContributor, scope: storage.id }
  // The app writes, disables and deletes secrets, so read-only Secrets User is not enough.
  { roleId: roles.keyVaultSecretsOfficer, scope: vault.id }
  // The narrowest documented built-in for sending with Entra ID: the SMTP guide requires exactly its permissions
  // (CommunicationServices read/write, EmailServices write). The REST quickstarts show Contributor, which is broader;
  // fall back to Contributor on this resource only if sends answer 403.
  { roleId: roles.communicationAndEmailServiceOwner, scope: communicationService.id }
  // Telemetry ingestion with Entra ID (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
  { roleId: roles.monitoringMetricsPublisher, scope: applicationInsights.id }
]

// Bicep cannot scope an extension resource to a resource id held in a string (Azure/bicep#12959), so the one list
// above is placed by one loop per target resource.
resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for a in filter(assignments, x => x.scope == storage.id): {
  name: guid(a.scope, principalId, a.roleId)
  scope: storage
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId), principalId: principalId, principalType: 'ServicePrincipal' }
}]

resource vaultAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for a in filter(assignments, x => x.scope == vault.id): {
  name: guid(a.scope, principalId, a.roleId)
  scope: vault
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId), principalId: principalId, principalType: 'ServicePrincipal' }
}]

resource communicationAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for a in filter(assignments, x => x.scope == communicationService.id): {
  name: guid(a.scope, principalId, a.roleId)
  scope: communicationService
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId), principalId: principalId, principalType: 'ServicePrincipal' }
}]

resource insightsAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [for a in filter(assignments, x => x.scope == applicationInsights.id): {
  name: guid(a.scope, principalId, a.roleId)
  scope: applicationInsights
  properties: { roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', a.roleId), principalId: principalId, principalType: 'ServicePrincipal' }
}]
