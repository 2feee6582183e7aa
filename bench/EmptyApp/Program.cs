// The same two routes the cold-start bench polls on the handler, answered without storage or authentication.
var builder = WebApplication.CreateSlimBuilder(args);
var port = builder.Configuration["FUNCTIONS_CUSTOMHANDLER_PORT"];
if (!string.IsNullOrEmpty(port))
{
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
}

var app = builder.Build();
app.MapGet("/api/health", () => Results.Text("""{"status":"ok"}""", "application/json"));
app.MapGet("/api/business-units/{bu}/applications", (string bu) => Results.Text("""{"items":[]}""", "application/json"));
app.Run();
