using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Granary.Tests.Unit.NodeAgent.Probes;

/// <summary>
/// A minimal HTTP/1.1 server on a loopback address and a free port: it reads each request's head and answers
/// with a fixed status and an empty body, or (with <c>status: null</c>) never answers.
/// </summary>
internal sealed class RawHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly int? _status;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RawHttpServer(int? status, string address = "127.0.0.1")
    {
        _status = status;
        _listener = new TcpListener(IPAddress.Parse(address), 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }

    /// <summary>Every request head received, oldest first.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Completes when the first request head has been read.</summary>
    public TaskCompletionSource FirstRequest { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task ServeAsync()
    {
        var open = new List<TcpClient>();
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                open.Add(client);
                try
                {
                    await ServeOneAsync(client);
                }
                catch (Exception e) when (e is IOException or SocketException)
                {
                    // The prober hung up first: next connection.
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed.
        }
        finally
        {
            foreach (var client in open)
                client.Dispose();
        }
    }

    private async Task ServeOneAsync(TcpClient client)
    {
        var stream = client.GetStream();
        var head = new StringBuilder();
        var buffer = new byte[4096];
        while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, _stop.Token);
            if (n == 0)
                break;
            head.Append(Encoding.ASCII.GetString(buffer, 0, n));
        }
        Requests.Enqueue(head.ToString());
        FirstRequest.TrySetResult();
        if (_status is { } status)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 {status} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), _stop.Token);
            client.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _stop.Dispose();
    }
}
