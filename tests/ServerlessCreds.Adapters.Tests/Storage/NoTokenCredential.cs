using Azure.Core;
using Azure.Identity;

namespace ServerlessCreds.Adapters.Tests.Storage;

/// <summary>What ManagedIdentityCredential throws while the identity endpoint cannot issue a token.</summary>
internal sealed class NoTokenCredential : TokenCredential
{
    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        throw new AuthenticationFailedException("ManagedIdentityCredential authentication failed.");

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
        throw new AuthenticationFailedException("ManagedIdentityCredential authentication failed.");
}
