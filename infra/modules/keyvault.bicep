// The vault that holds client secret values. RBAC permission model; deleted secrets and the vault itself stay
// recoverable (soft delete + purge protection), so a mistake or a compromised identity cannot destroy them for good.
@description('Vault name: 3-24 letters, digits and hyphens, globally unique.')
param name string
param location string
param tags object

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
  }
}

output name string = vault.name
output vaultUri string = vault.properties.vaultUri
