using System.Text.Json;
using System.Text.Json.Serialization;

namespace ServerlessCreds.Host.Api;

public sealed record ItemsResponse<T>(IReadOnlyList<T> Items, string? ContinuationToken);

public sealed record HealthResponse(string Status, IReadOnlyDictionary<string, string> Dependencies);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(HealthResponse))]
[JsonSerializable(typeof(CreateScopeRequest))]
[JsonSerializable(typeof(ItemsResponse<ScopeResponse>))]
[JsonSerializable(typeof(ScopeResponse))]
[JsonSerializable(typeof(CreateExternalApplicationRequest))]
[JsonSerializable(typeof(ItemsResponse<ExternalApplicationResponse>))]
[JsonSerializable(typeof(ExternalApplicationResponse))]
[JsonSerializable(typeof(CreateApplicationRequest))]
[JsonSerializable(typeof(UpdateApplicationRequest))]
[JsonSerializable(typeof(ItemsResponse<ApplicationResponse>))]
[JsonSerializable(typeof(ApplicationResponse))]
[JsonSerializable(typeof(CreatedApplicationResponse))]
[JsonSerializable(typeof(CreateSecretRequest))]
[JsonSerializable(typeof(ItemsResponse<SecretResponse>))]
[JsonSerializable(typeof(CreatedSecretResponse))]
[JsonSerializable(typeof(SecretEmailRequestBody))]
[JsonSerializable(typeof(QueuedDeliveryResponse))]
[JsonSerializable(typeof(DeliveryResponse))]
[JsonSerializable(typeof(ItemsResponse<AuditEntryResponse>))]
[JsonSerializable(typeof(Reveal.RevealSecretRequest))]
[JsonSerializable(typeof(Reveal.RevealedSecretResponse))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
