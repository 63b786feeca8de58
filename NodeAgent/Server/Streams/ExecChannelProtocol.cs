using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Granary.Serialization;

namespace Granary.NodeAgent.Server.Streams;

/// <summary>
/// The Kubernetes remote-command channel protocol over WebSocket, as kubectl exec and the official clients speak
/// it: every binary message is one channel byte followed by that stream's bytes (0 stdin, 1 stdout, 2 stderr,
/// 3 the final status, 4 terminal resizes as JSON <c>{"Width":W,"Height":H}</c>). The agent's server speaks it
/// (exec and attach); a silo relays it between the client and the agent, or bridges it from SPDY. Versions differ only in what travels on the status channel and how a
/// stream ends:
/// <list type="bullet">
/// <item>v1–v3 (<c>channel.k8s.io</c>, <c>v2.</c>, <c>v3.</c>): the status is plain text, sent only on failure; no exit code.</item>
/// <item>v4: the status is a JSON metav1.Status; a non-zero exit is reason NonZeroExitCode with an ExitCode cause.</item>
/// <item>v5: as v4, plus a close signal (channel 255, then the id of the stream the client has finished writing),
/// so stdin can end while the socket stays open for the output.</item>
/// </list>
/// </summary>
public sealed record ExecChannelProtocol(string Name, int Version)
{
    public const byte Stdin = 0;
    public const byte Stdout = 1;
    public const byte Stderr = 2;
    public const byte Status = 3;
    public const byte Resize = 4;
    public const byte Close = 255;

    /// <summary>Frames of at most this many bytes of payload: large output goes as several messages.</summary>
    public const int MaxFramePayload = 32 * 1024;

    public static readonly ExecChannelProtocol V5 = new("v5.channel.k8s.io", 5);
    public static readonly ExecChannelProtocol V4 = new("v4.channel.k8s.io", 4);
    public static readonly ExecChannelProtocol V1 = new("channel.k8s.io", 1);

    /// <summary>Every version served, best first.</summary>
    public static readonly ImmutableArray<ExecChannelProtocol> Supported =
        [V5, V4, new("v3.channel.k8s.io", 3), new("v2.channel.k8s.io", 2), V1];

    /// <summary>Whether the status channel carries a JSON Status (with the exit code) rather than an error text.</summary>
    public bool StatusIsJson => Version >= 4;

    /// <summary>
    /// The best version the client offers, or null when it offers only ones not served (base64 variants, say).
    /// A client that offers none gets v1, as client-go assumes when nothing was negotiated.
    /// </summary>
    public static ExecChannelProtocol? Negotiate(IReadOnlyCollection<string> offered)
    {
        if (offered.Count == 0)
            return V1;
        var names = offered.Select(p => p.Trim()).ToHashSet(StringComparer.Ordinal);
        return Supported.FirstOrDefault(p => names.Contains(p.Name));
    }

    /// <summary>One message: the channel byte, then the payload.</summary>
    public static byte[] Frame(byte channel, ReadOnlySpan<byte> payload)
    {
        var frame = new byte[payload.Length + 1];
        frame[0] = channel;
        payload.CopyTo(frame.AsSpan(1));
        return frame;
    }

    /// <summary>A stream's whole output as messages of at most <see cref="MaxFramePayload"/> bytes; none for no output.</summary>
    public static IEnumerable<byte[]> Frames(byte channel, ReadOnlyMemory<byte> output)
    {
        for (var offset = 0; offset < output.Length; offset += MaxFramePayload)
            yield return Frame(channel, output.Span.Slice(offset, Math.Min(MaxFramePayload, output.Length - offset)));
    }

    /// <summary>
    /// The status message for this version, or null when there is nothing to send (success before v4, where
    /// silence means success).
    /// </summary>
    public byte[]? StatusFrame(JsonObject status)
    {
        if (StatusIsJson)
            return Frame(Status, Encoding.UTF8.GetBytes(status.ToJsonString(GranaryJson.Options)));
        if ((string?)status["status"] == "Success")
            return null;
        return Frame(Status, Encoding.UTF8.GetBytes((string?)status["message"] ?? "error executing remote command"));
    }

    /// <summary>The command ended with exit code 0.</summary>
    public static JsonObject Success() => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Success",
    };

    /// <summary>A failure before or instead of a command's end (kube's metav1.Status: code, reason, message).</summary>
    public static JsonObject Failure(int code, string reason, string message) => new()
    {
        ["kind"] = "Status",
        ["apiVersion"] = "v1",
        ["metadata"] = new JsonObject(),
        ["status"] = "Failure",
        ["message"] = message,
        ["reason"] = reason,
        ["code"] = code,
    };

    /// <summary>
    /// The command ended with a non-zero code. client-go reads the code from the ExitCode cause (as an 8-bit
    /// number), so kubectl exits with it and prints "command terminated with exit code N".
    /// </summary>
    public static JsonObject NonZeroExit(int exitCode)
    {
        // Exit codes are 8-bit on every engine; anything else (a negative code from a crashed runtime) is still a failure.
        var code = exitCode is >= 1 and <= 255 ? exitCode : 1;
        return new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = $"command terminated with non-zero exit code {code}",
            ["reason"] = "NonZeroExitCode",
            ["details"] = new JsonObject
            {
                ["causes"] = new JsonArray(new JsonObject
                {
                    ["reason"] = "ExitCode",
                    ["message"] = code.ToString(CultureInfo.InvariantCulture),
                }),
            },
        };
    }
}
