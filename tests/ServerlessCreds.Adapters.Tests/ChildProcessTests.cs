using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Adapters.Tests;

public sealed class ChildProcessTests
{
    [Fact]
    public async Task A_child_whose_picked_port_was_taken_is_started_again_on_a_fresh_one()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var taken = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var picked = new List<int>();

        // Node, which runs Azurite, fails with EADDRINUSE as Azurite does; it says when it listens, as the occupant cannot.
        await using var child = await ChildProcess.StartOnFreePortsAsync(
            () =>
            {
                picked.Add(picked.Count == 0 ? taken : ChildProcess.FreePort());
                return ChildProcess.Start(NodeListening(picked[^1]));
            },
            child => child.WaitUntilAsync(() => Task.FromResult(child.Output.Contains("listening", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), "listening"));

        Assert.Equal(2, picked.Count);
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, picked[1]);
    }

    static ProcessStartInfo NodeListening(int port) => new("node")
    {
        ArgumentList = { "-e", $"require('net').createServer().listen({port.ToString(CultureInfo.InvariantCulture)}, '127.0.0.1', () => console.log('listening'))" },
    };
}
