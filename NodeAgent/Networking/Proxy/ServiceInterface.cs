using System.Collections.Immutable;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy;

/// <summary>
/// A dummy network interface that carries the cluster IPs the proxy listens on when they are not loopback addresses
/// (as kube-proxy's IPVS mode keeps them on kube-ipvs0): each cluster IP is a /32 on it, so the node owns the address
/// and the proxy can bind it. Managed with iproute2's <c>ip</c> (needs CAP_NET_ADMIN); deleted when the agent stops.
/// </summary>
public sealed partial class ServiceInterface(string name, ILogger<ServiceInterface> logger)
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);
    private ImmutableHashSet<IPAddress> _addresses = [];
    private bool _created;

    public string Name => name;

    /// <summary>Creates the interface (if missing) and brings it up; then makes its addresses exactly <paramref name="wanted"/>.</summary>
    public async Task SyncAsync(ImmutableArray<IPAddress> wanted, CancellationToken ct)
    {
        if (!_created)
        {
            var add = await RunAsync(ct, "link", "add", name, "type", "dummy");
            if (add.ExitCode != 0 && !add.Error.Contains("File exists", StringComparison.Ordinal))
                throw Failure("create it", add);
            var up = await RunAsync(ct, "link", "set", name, "up");
            if (up.ExitCode != 0)
                throw Failure("bring it up", up);
            _created = true;
            _addresses = await ReadAddressesAsync(ct);
            LogCreated(logger, name);
        }
        var target = wanted.ToImmutableHashSet();
        foreach (var address in target.Except(_addresses))
        {
            var result = await RunAsync(ct, "addr", "add", $"{address}/32", "dev", name);
            if (result.ExitCode != 0 && !result.Error.Contains("File exists", StringComparison.Ordinal))
                throw Failure($"add {address}", result);
            _addresses = _addresses.Add(address);
        }
        foreach (var address in _addresses.Except(target))
        {
            var result = await RunAsync(ct, "addr", "del", $"{address}/32", "dev", name);
            if (result.ExitCode != 0 && !result.Error.Contains("Cannot assign", StringComparison.Ordinal))
                throw Failure($"remove {address}", result);
            _addresses = _addresses.Remove(address);
        }
    }

    /// <summary>Deletes the interface and with it every cluster IP on it (on uninstall or stop).</summary>
    public async Task DeleteAsync(CancellationToken ct)
    {
        var result = await RunAsync(ct, "link", "del", name);
        if (result.ExitCode != 0 && !result.Error.Contains("Cannot find device", StringComparison.Ordinal))
            LogDeleteFailed(logger, name, result.Error.Trim());
        _created = false;
        _addresses = [];
    }

    private async Task<ImmutableHashSet<IPAddress>> ReadAddressesAsync(CancellationToken ct)
    {
        var result = await RunAsync(ct, "-4", "-o", "addr", "show", "dev", name);
        if (result.ExitCode != 0)
            throw Failure("read its addresses", result);
        // Lines read "7: granary-svc0    inet 10.43.0.10/32 scope global granary-svc0 ...".
        var addresses = ImmutableHashSet.CreateBuilder<IPAddress>();
        foreach (var line in result.Output.Split('\n'))
        {
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var inet = Array.IndexOf(fields, "inet");
            if (inet >= 0 && inet + 1 < fields.Length && IPAddress.TryParse(fields[inet + 1].Split('/')[0], out var address))
                addresses.Add(address);
        }
        return addresses.ToImmutable();
    }

    private ServiceInterfaceException Failure(string what, CommandResult result) =>
        new($"cannot {what} on the service interface {name}: ip exited with {result.ExitCode}: {result.Error.Trim()}. " +
            "The agent needs CAP_NET_ADMIN (run it as root) for --service-interface, or leave the flag out and give the silo a loopback --service-cidr.");

    private static async Task<CommandResult> RunAsync(CancellationToken ct, params string[] args)
    {
        var info = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new ServiceInterfaceException("ip (iproute2) did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new ServiceInterfaceException($"cannot run ip (iproute2) for --service-interface: {e.Message}; install iproute2");
        }
        using (process)
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(CommandTimeout);
            var output = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var error = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token);
            return new CommandResult(process.ExitCode, await output, await error);
        }
    }

    private sealed record CommandResult(int ExitCode, string Output, string Error);
}

/// <summary>The service interface could not be set up or changed; the message says what to do.</summary>
public sealed class ServiceInterfaceException(string message) : Exception(message);
