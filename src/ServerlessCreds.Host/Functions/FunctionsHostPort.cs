using System.Globalization;

namespace ServerlessCreds.Host.Functions;

static class FunctionsHostPort
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>True when the Azure Functions host started this process as its custom handler.</summary>
    public static bool IsUnderFunctionsHost(IConfiguration configuration) => !string.IsNullOrEmpty(configuration[PortVariable]);

    /// <summary>Under the Functions host, listen only on the loopback port it chose; standalone, the usual ASP.NET Core URL settings apply.</summary>
    public static WebApplicationBuilder ListenOnFunctionsHostPort(this WebApplicationBuilder builder)
    {
        var port = builder.Configuration[PortVariable];
        if (!string.IsNullOrEmpty(port))
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{int.Parse(port, CultureInfo.InvariantCulture)}");
        }

        return builder;
    }
}
