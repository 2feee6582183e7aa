using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using ServerlessCreds.Host.Tests.Reveal;

namespace ServerlessCreds.Host.Tests.Browser;

/// <summary>A person with the email: opens the link in a real browser, reveals, copies, reloads.</summary>
public sealed class RevealBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    // A browser needs a real port: the same host as the other tests, on Kestrel at a free loopback port.
    readonly ServerlessCredsApplication app = new();

    public async Task InitializeAsync()
    {
        await app.InitializeAsync();
        app.UseKestrel(0);
        app.StartServer();
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    Uri BaseAddress => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    [Fact]
    public async Task The_reader_reveals_the_secret_once_copies_it_and_a_reload_says_already_viewed()
    {
        await app.ReadyAsync();
        var secret = await OneTimeLinks.CreateApplicationAsync(app, "Billing sync");
        var link = new Uri(BaseAddress, $"/s/{await OneTimeLinks.SendAsync(app, secret)}");
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 420, Height = 860 },
            Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await context.NewPageAsync();
        var blocked = new List<string>();
        page.Console += (_, message) => blocked.Add(message.Text);

        var opened = await page.GotoAsync(link.ToString());
        Assert.Equal(200, opened!.Status);
        Assert.Contains("Billing sync", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "reveal-1-interstitial.png"), FullPage = true });

        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Reveal secret" }).ClickAsync();
        Assert.Equal(secret.ClientSecret, await page.Locator("#client-secret").InnerTextAsync());
        Assert.Equal(secret.ClientId, await page.Locator("#client-id").InnerTextAsync());

        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Copy secret" }).ClickAsync();
        await Assertions.Expect(page.Locator("#copy-status")).ToHaveTextAsync("Copied");
        Assert.Equal(secret.ClientSecret, await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "reveal-2-revealed.png"), FullPage = true });

        // Reloading a POST resubmits the form: the link is spent.
        var reloaded = await page.ReloadAsync();
        Assert.Equal(410, reloaded!.Status);
        Assert.Contains("already viewed", await page.Locator("h1").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(secret.ClientSecret, await page.ContentAsync(), StringComparison.Ordinal);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(BrowserFixture.ScreenshotFolder, "reveal-3-already-viewed.png"), FullPage = true });

        // The CSP let the page's own style and script run and blocked nothing.
        Assert.DoesNotContain(blocked, text => text.Contains("Content Security Policy", StringComparison.Ordinal));
    }
}
