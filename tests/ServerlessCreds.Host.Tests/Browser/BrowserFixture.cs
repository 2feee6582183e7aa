using Microsoft.Playwright;

namespace ServerlessCreds.Host.Tests.Browser;

/// <summary>
/// Debian's Chromium (installed by test.sh), driven by Playwright: Playwright's own browser download is never used.
/// One browser per test class; each test opens its own context.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public const string ChromiumPath = "/usr/bin/chromium";

    IPlaywright? playwright;
    IBrowser? browser;

    public IBrowser Browser => browser ?? throw new InvalidOperationException("Call InitializeAsync first.");

    /// <summary>Where tests leave screenshots: the test output folder.</summary>
    public static string ScreenshotFolder { get; } = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"Chromium is missing at {ChromiumPath}: run ./test.sh, which installs Debian's chromium package, or apt-get install chromium.");
        }

        playwright = await Playwright.CreateAsync();
        browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    public async Task DisposeAsync()
    {
        if (browser is not null)
        {
            await browser.CloseAsync();
        }

        playwright?.Dispose();
    }
}
