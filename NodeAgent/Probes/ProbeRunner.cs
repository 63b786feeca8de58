using System.Globalization;
using System.Net.Sockets;
using Granary.Model;
using Granary.NodeAgent.Runtime;

namespace Granary.NodeAgent.Probes;

/// <summary>
/// Runs one probe attempt, as the kubelet's prober does: exec inside the container (exit 0 succeeds), a TCP
/// connect, or an HTTP GET (200–399 succeeds). tcpSocket and httpGet go to the pod's address unless the probe
/// names a host; a named port is looked up among the container's ports. Each attempt gives up after the probe's
/// timeout, measured on the injected clock. Never throws but for cancellation by the caller.
/// </summary>
public sealed class ProbeRunner : IDisposable
{
    /// <summary>As much command output as the kubelet keeps for an exec probe's message.</summary>
    private const int MaxOutput = 10 * 1024;

    private readonly IContainerRuntime _runtime;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;

    public ProbeRunner(IContainerRuntime runtime, TimeProvider time)
    {
        _runtime = runtime;
        _time = time;
        _http = new HttpClient(new SocketsHttpHandler
        {
            // A 3xx is a success in its own right; the kubelet does not follow redirects to other hosts either.
            AllowAutoRedirect = false,
            UseProxy = false,
            UseCookies = false,
            // A pod's address is reused by the next pod: no connection outlives its probe.
            PooledConnectionLifetime = TimeSpan.Zero,
            SslOptions =
            {
                // The kubelet probes HTTPS without verifying the pod's certificate: it checks health, not identity.
#pragma warning disable CA5359
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
#pragma warning restore CA5359
            },
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("kube-probe/granary");
        _http.DefaultRequestHeaders.Accept.ParseAdd("*/*");
        _http.DefaultRequestHeaders.ConnectionClose = true;
    }

    public async Task<ProbeResult> RunAsync(ProbeKind kind, Probe probe, ProbeTarget target, CancellationToken ct)
    {
        var timeout = ProbeSettings.Of(probe).Timeout;
        try
        {
            if (probe.Exec is { } exec)
                return await ExecAsync(kind, exec, target, timeout, ct);
            if (probe.TcpSocket is { } tcp)
                return await TcpAsync(kind, tcp, target, timeout, ct);
            if (probe.HttpGet is { } http)
                return await HttpAsync(kind, http, target, timeout, ct);
            return ProbeResult.Error(kind, "the probe has no exec, tcpSocket or httpGet action");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // Whatever else goes wrong (a host that is not a name, a driver bug) says why instead of stopping the prober.
            return ProbeResult.Error(kind, e.Message);
        }
    }

    private async Task<ProbeResult> ExecAsync(ProbeKind kind, ExecAction exec, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        if (exec.Command is not { Count: > 0 } command)
            return ProbeResult.Error(kind, "the exec probe has no command");
        try
        {
            // The runtime enforces the timeout itself (its contract) and reports it as RuntimeErrorKind.Timeout.
            var result = await _runtime.ExecAsync(target.ContainerId, command, ReadOnlyMemory<byte>.Empty, timeout, ct);
            if (result.ExitCode == 0)
                return ProbeResult.Success;
            var output = (result.Stdout + result.Stderr).Trim();
            if (output.Length > MaxOutput)
                output = output[..MaxOutput];
            return ProbeResult.Failure(kind, output.Length > 0
                ? output
                : $"command \"{string.Join(' ', command)}\" exited with code {result.ExitCode}");
        }
        catch (RuntimeException e) when (e.Kind == RuntimeErrorKind.Timeout && !ct.IsCancellationRequested)
        {
            return ProbeResult.Failure(kind, $"command \"{string.Join(' ', command)}\" timed out");
        }
    }

    private async Task<ProbeResult> TcpAsync(ProbeKind kind, TcpSocketAction tcp, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        if (ResolvePort(tcp.Port, target) is not { } port)
            return ProbeResult.Error(kind, UnknownPort(tcp.Port, target));
        var host = string.IsNullOrEmpty(tcp.Host) ? target.PodIp : tcp.Host;
        var dial = $"dial tcp {JoinHostPort(host, port)}";

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        try
        {
            await socket.ConnectAsync(host, port, linked.Token);
            return ProbeResult.Success;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ProbeResult.Failure(kind, $"{dial}: i/o timeout");
        }
        catch (SocketException e)
        {
            return ProbeResult.Failure(kind, $"{dial}: {Describe(e)}");
        }
    }

    private async Task<ProbeResult> HttpAsync(ProbeKind kind, HttpGetAction http, ProbeTarget target, TimeSpan timeout, CancellationToken ct)
    {
        if (ResolvePort(http.Port, target) is not { } port)
            return ProbeResult.Error(kind, UnknownPort(http.Port, target));
        var host = string.IsNullOrEmpty(http.Host) ? target.PodIp : http.Host;
        var scheme = string.IsNullOrEmpty(http.Scheme) ? "http" : http.Scheme.ToLowerInvariant();
        var path = string.IsNullOrEmpty(http.Path) ? "/" : http.Path.StartsWith('/') ? http.Path : "/" + http.Path;
        var url = $"{scheme}://{JoinHostPort(host, port)}{path}";
        if (scheme is not ("http" or "https") || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
            return ProbeResult.Error(kind, $"invalid URL \"{url}\": scheme must be HTTP or HTTPS");

        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, ct);
        try
        {
            using var response = await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, linked.Token);
            var status = (int)response.StatusCode;
            return status is >= 200 and < 400
                ? ProbeResult.Success
                : ProbeResult.Failure(kind, $"HTTP probe failed with statuscode: {status}");
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            return ProbeResult.Failure(kind, $"Get \"{url}\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)");
        }
        catch (HttpRequestException e)
        {
            var reason = e.InnerException is SocketException socket
                ? $"dial tcp {JoinHostPort(host, port)}: {Describe(socket)}"
                : e.Message;
            return ProbeResult.Failure(kind, $"Get \"{url}\": {reason}");
        }
    }

    /// <summary>A port number, or a name from the container's ports (then a number written as text), as the kubelet resolves it.</summary>
    private static int? ResolvePort(IntOrString port, ProbeTarget target)
    {
        var number = port.IntValue
            ?? target.Container.Ports?.FirstOrDefault(p => p.Name == port.StringValue)?.Number
            ?? (int.TryParse(port.StringValue, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) ? parsed : null);
        return number is > 0 and < 65536 ? number : null;
    }

    private static string UnknownPort(IntOrString port, ProbeTarget target) => port.IsInt
        ? $"invalid port number: {port}"
        : $"couldn't find port \"{port}\" in container {target.ContainerName}";

    /// <summary>Go's net.JoinHostPort: IPv6 addresses in brackets.</summary>
    private static string JoinHostPort(string host, int port) =>
        host.Contains(':', StringComparison.Ordinal) ? $"[{host}]:{port}" : $"{host}:{port}";

    /// <summary>The socket error in Go's words where the kubelet's messages are well known.</summary>
    private static string Describe(SocketException e) => e.SocketErrorCode switch
    {
        SocketError.ConnectionRefused => "connect: connection refused",
        SocketError.TimedOut => "i/o timeout",
        SocketError.HostUnreachable => "connect: no route to host",
        SocketError.NetworkUnreachable => "connect: network is unreachable",
        SocketError.HostNotFound or SocketError.NoData => "no such host",
        _ => e.Message,
    };

    public void Dispose() => _http.Dispose();
}
