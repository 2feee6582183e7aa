using Microsoft.Extensions.Options;
using ServerlessCreds.Adapters;
using ServerlessCreds.Host.Api;
using ServerlessCreds.Host.Authentication;
using ServerlessCreds.Host.Functions;
using ServerlessCreds.Host.Http;
using ServerlessCreds.Host.LocalDevelopment;
using ServerlessCreds.Host.Reveal;
using ServerlessCreds.Host.Startup;

var builder = WebApplication.CreateBuilder(args);
builder.ListenOnFunctionsHostPort();
builder.Services.AddDomainServices(builder.Configuration);
builder.Services.AddAzureAdapters(builder.Configuration, builder.Environment);
builder.Services.AddCallerAuthentication(builder.Configuration);
builder.Services.AddHttpApi();
builder.Services.AddFrontEndCors(builder.Configuration);
builder.Services.AddRevealRateLimits(builder.Configuration);
builder.Services.AddFunctionTriggers(builder.Configuration);
builder.Logging.OmitRequestPaths();

var app = builder.Build();
// Every missing or malformed setting in one failure: the host itself validates only after it has built the hosted
// services, and the first of those to read its options would stop it with that one message.
app.Services.GetRequiredService<IStartupValidator>().Validate();
app.UseHttpApi();
app.MapHealth();
app.MapOpenApiDocument();
app.MapScopes();
app.MapExternalApplications();
app.MapApplications();
app.MapSecrets();
app.MapSecretEmails();
app.MapAudit();
app.MapFunctionTriggers();
app.MapReveal();
app.MapDevelopmentOutbox();
app.Run();

/// <summary>Entry point, visible to the integration tests' WebApplicationFactory.</summary>
public partial class Program;
