using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Granary.NodeAgent.Runtime;
using Granary.NodeAgent.Server.Exec;
using Granary.NodeAgent.Server.Streams;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Server;

/// <summary>
/// The agent's side of an exec or attach: frames between a client WebSocket (in memory) and a recording process
/// session, in both directions, and the status that ends the session.
/// </summary>
public sealed class ChannelSessionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Output_IsFramedPerStream_ThenTheExitCodeStatus_ThenANormalClose()
    {
        await using var process = new RecordingProcess(exitCode: 3);
        await using var pair = SessionPair.Start(ExecChannelProtocol.V5, process, Options(stdin: false));

        process.Write(LogStream.Stdout, "out");
        process.Write(LogStream.Stderr, "err");
        process.EndOutput();
        var frames = await pair.ReadUntilCloseAsync();

        Assert.Equal([(1, "out"), (2, "err")], frames.Where(f => f.Channel != 3).Select(f => ((int)f.Channel, f.Text)));
        var status = JsonNode.Parse(frames.Single(f => f.Channel == 3).Text)!;
        Assert.Equal(("NonZeroExitCode", "3"), ((string?)status["reason"], (string?)status["details"]!["causes"]![0]!["message"]));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, pair.Client.CloseStatus);
    }

    [Fact]
    public async Task Stdin_GoesToTheProcess_AndV5sCloseSignalEndsIt()
    {
        await using var process = new RecordingProcess(exitCode: 0) { EndOutputWhenStdinCloses = true };
        await using var pair = SessionPair.Start(ExecChannelProtocol.V5, process, Options(stdin: true));

        await pair.SendAsync(ExecChannelProtocol.Stdin, "line one\n");
        await pair.SendAsync(ExecChannelProtocol.Close, [ExecChannelProtocol.Stdin]);
        var frames = await pair.ReadUntilCloseAsync();

        Assert.Equal("line one\n", process.Stdin);
        Assert.Equal("Success", (string?)JsonNode.Parse(frames.Single(f => f.Channel == 3).Text)!["status"]);
    }

    [Fact]
    public async Task Resizes_ReachTheProcess_UnderATerminal()
    {
        await using var process = new RecordingProcess(exitCode: 0);
        await using var pair = SessionPair.Start(ExecChannelProtocol.V4, process, Options(stdin: true, tty: true));

        await pair.SendAsync(ExecChannelProtocol.Resize, """{"Width":123,"Height":45}""");
        var size = await process.Resized.Task.WaitAsync(Timeout);
        process.EndOutput();
        await pair.ReadUntilCloseAsync();

        Assert.Equal((123, 45), size);
    }

    [Fact]
    public async Task ARefusal_IsTheStatus_WithTheKubeletsWords()
    {
        await using var pair = SessionPair.Start(ExecChannelProtocol.V4, _ => throw new StreamRefusedException(404, "NotFound", "pod does not exist"), Options(stdin: false));

        var frames = await pair.ReadUntilCloseAsync();

        var status = JsonNode.Parse(frames.Single().Text)!;
        Assert.Equal(("Failure", "NotFound", "pod does not exist", 404),
            ((string?)status["status"], (string?)status["reason"], (string?)status["message"], (int?)status["code"]));
    }

    [Fact]
    public async Task ARuntimeThatCannotGiveATerminal_IsABadRequest()
    {
        await using var pair = SessionPair.Start(ExecChannelProtocol.V5,
            _ => throw new RuntimeException(RuntimeErrorKind.Unsupported, "a terminal needs the docker driver"), Options(stdin: true, tty: true));

        var status = JsonNode.Parse((await pair.ReadUntilCloseAsync()).Single().Text)!;

        Assert.Equal(("BadRequest", 400), ((string?)status["reason"], (int?)status["code"]));
    }

    [Theory]
    [InlineData("""{"Width":80,"Height":24}""", 80, 24)]
    [InlineData("""{"width":100,"height":30}""", 100, 30)]
    [InlineData("""{"Width":0,"Height":24}""", null, null)]
    [InlineData("not json", null, null)]
    public void TerminalSize_ReadsClientGosResizeMessage(string json, int? width, int? height)
    {
        var size = TerminalSize.Parse(Encoding.UTF8.GetBytes(json));

        Assert.Equal(width is null ? null : new TerminalSize(width.Value, height!.Value), size);
    }

    private static ExecOptions Options(bool stdin, bool tty = false) => new(["sh"], "main", stdin, Stdout: true, Stderr: !tty, tty);

    /// <summary>A client WebSocket wired to a <see cref="ChannelSession"/> over in-memory pipes.</summary>
    private sealed class SessionPair : IAsyncDisposable
    {
        private readonly ChannelSession _owner;
        private readonly Task _session;

        private SessionPair(WebSocket client, ChannelSession owner, Task session)
        {
            Client = client;
            _owner = owner;
            _session = session;
        }

        public WebSocket Client { get; }

        public static SessionPair Start(ExecChannelProtocol protocol, IStreamSession process, ExecOptions options) =>
            Start(protocol, _ => Task.FromResult(process), options);

        public static SessionPair Start(ExecChannelProtocol protocol, Func<CancellationToken, Task<IStreamSession>> open, ExecOptions options)
        {
            var up = new Pipe();
            var down = new Pipe();
            var client = WebSocket.CreateFromStream(new DuplexStream(down.Reader.AsStream(), up.Writer.AsStream()), new WebSocketCreationOptions { IsServer = false });
            var server = WebSocket.CreateFromStream(new DuplexStream(up.Reader.AsStream(), down.Writer.AsStream()), new WebSocketCreationOptions { IsServer = true });
            var session = new ChannelSession(server, protocol, new StreamTarget("default", "web", "main", Attach: false), NullLogger.Instance);
            return new SessionPair(client, session, session.RunAsync(open, options, CancellationToken.None));
        }

        public Task SendAsync(byte channel, string text) => SendAsync(channel, Encoding.UTF8.GetBytes(text));

        public async Task SendAsync(byte channel, byte[] payload) =>
            await Client.SendAsync(ExecChannelProtocol.Frame(channel, payload), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);

        /// <summary>Every frame until the agent's close, which is answered.</summary>
        public async Task<List<(byte Channel, string Text)>> ReadUntilCloseAsync()
        {
            using var cts = new CancellationTokenSource(Timeout);
            var frames = new List<(byte, string)>();
            var buffer = new byte[64 * 1024];
            while (true)
            {
                var received = await Client.ReceiveAsync(buffer, cts.Token);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    await Client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                    await _session.WaitAsync(cts.Token);
                    return frames;
                }
                frames.Add((buffer[0], Encoding.UTF8.GetString(buffer, 1, received.Count - 1)));
            }
        }

        public async ValueTask DisposeAsync()
        {
            Client.Abort();
            await _session.WaitAsync(Timeout).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            Client.Dispose();
            _owner.Dispose();
        }
    }

    /// <summary>One stream to read from and another to write to, as a socket is.</summary>
    private sealed class DuplexStream(Stream input, Stream output) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override int Read(byte[] buffer, int offset, int count) => input.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default) => input.ReadAsync(buffer, ct);
        public override void Write(byte[] buffer, int offset, int count) => output.Write(buffer, offset, count);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken ct = default) => output.WriteAsync(buffer, ct);
        public override void Flush() => output.Flush();
        public override Task FlushAsync(CancellationToken ct) => output.FlushAsync(ct);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A process whose output the test writes and whose input and resizes it records.</summary>
    private sealed class RecordingProcess(int? exitCode) : IStreamSession
    {
        private readonly Channel<(LogStream, byte[])> _output = Channel.CreateUnbounded<(LogStream, byte[])>();
        private readonly StringBuilder _stdin = new();

        public bool EndOutputWhenStdinCloses { get; init; }
        public TaskCompletionSource<(int, int)> Resized { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public string Stdin
        {
            get { lock (_stdin) return _stdin.ToString(); }
        }

        public void Write(LogStream stream, string text) => _output.Writer.TryWrite((stream, Encoding.UTF8.GetBytes(text)));

        public void EndOutput() => _output.Writer.TryComplete();

        public Task WriteStdinAsync(ReadOnlyMemory<byte> data, CancellationToken ct)
        {
            lock (_stdin)
                _stdin.Append(Encoding.UTF8.GetString(data.Span));
            return Task.CompletedTask;
        }

        public Task CloseStdinAsync(CancellationToken ct)
        {
            if (EndOutputWhenStdinCloses)
                EndOutput();
            return Task.CompletedTask;
        }

        public async Task<OutputRead> ReadOutputAsync(byte[] buffer, CancellationToken ct)
        {
            if (!await _output.Reader.WaitToReadAsync(ct) || !_output.Reader.TryRead(out var chunk))
                return new OutputRead(LogStream.Stdout, 0);
            chunk.Item2.CopyTo(buffer, 0);
            return new OutputRead(chunk.Item1, chunk.Item2.Length);
        }

        public Task ResizeAsync(int width, int height, CancellationToken ct)
        {
            Resized.TrySetResult((width, height));
            return Task.CompletedTask;
        }

        public Task<int?> WaitForExitAsync(CancellationToken ct) => Task.FromResult(exitCode);

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
