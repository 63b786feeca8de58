using System.Text;
using System.Text.Json.Nodes;
using Granary.NodeAgent.Server.Streams;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Granary.Tests.Unit.NodeAgent.Server;

/// <summary>The wire format of kubectl exec: subprotocol choice, frames, and the status client-go decodes.</summary>
public class ExecChannelProtocolTests
{
    [Theory]
    [InlineData("v5.channel.k8s.io", "v5.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io,v5.channel.k8s.io", "v5.channel.k8s.io")]
    [InlineData("v4.channel.k8s.io", "v4.channel.k8s.io")]
    [InlineData("base64.channel.k8s.io, v3.channel.k8s.io,channel.k8s.io", "v3.channel.k8s.io")]
    [InlineData("channel.k8s.io", "channel.k8s.io")]
    [InlineData("", "channel.k8s.io")]
    [InlineData("base64.channel.k8s.io", null)]
    [InlineData("v6.channel.k8s.io", null)]
    public void Negotiate_PicksTheBestOfferedVersion(string offered, string? expected)
    {
        var protocols = offered.Split(',', StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(expected, ExecChannelProtocol.Negotiate(protocols)?.Name);
    }

    [Fact]
    public void Frame_IsTheChannelByteThenThePayload()
    {
        Assert.Equal([1, (byte)'h', (byte)'i', (byte)'\n'], ExecChannelProtocol.Frame(ExecChannelProtocol.Stdout, "hi\n"u8));
        Assert.Equal([3], ExecChannelProtocol.Frame(ExecChannelProtocol.Status, []));
    }

    [Fact]
    public void Frames_SplitLargeOutput_AndSendNothingForNoOutput()
    {
        var output = new byte[ExecChannelProtocol.MaxFramePayload * 2 + 5];
        Random.Shared.NextBytes(output);

        var frames = ExecChannelProtocol.Frames(ExecChannelProtocol.Stderr, output).ToList();

        Assert.Equal([ExecChannelProtocol.MaxFramePayload + 1, ExecChannelProtocol.MaxFramePayload + 1, 6], frames.Select(f => f.Length));
        Assert.All(frames, f => Assert.Equal(ExecChannelProtocol.Stderr, f[0]));
        Assert.Equal(output, frames.SelectMany(f => f.Skip(1)));
        Assert.Empty(ExecChannelProtocol.Frames(ExecChannelProtocol.Stdout, ReadOnlyMemory<byte>.Empty));
    }

    [Fact]
    public void SuccessStatus_IsAStatusOfSuccess_OnV4AndV5()
    {
        var frame = ExecChannelProtocol.V5.StatusFrame(ExecChannelProtocol.Success())!;

        Assert.Equal(ExecChannelProtocol.Status, frame[0]);
        var status = JsonNode.Parse(frame.AsSpan(1))!;
        Assert.Equal("""{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Success"}""", status.ToJsonString());
        Assert.Equal(frame, ExecChannelProtocol.V4.StatusFrame(ExecChannelProtocol.Success()));
    }

    [Theory]
    [InlineData(3, "3")]
    [InlineData(255, "255")]
    [InlineData(-1, "1")]
    [InlineData(256, "1")]
    public void NonZeroExit_CarriesTheCodeAsClientGoReadsIt(int exitCode, string expected)
    {
        var frame = ExecChannelProtocol.V5.StatusFrame(ExecChannelProtocol.NonZeroExit(exitCode))!;

        var status = JsonNode.Parse(frame.AsSpan(1))!;
        Assert.Equal("Failure", (string?)status["status"]);
        Assert.Equal("NonZeroExitCode", (string?)status["reason"]);
        var cause = Assert.Single(status["details"]!["causes"]!.AsArray())!;
        Assert.Equal("ExitCode", (string?)cause["reason"]);
        Assert.Equal(expected, (string?)cause["message"]);
    }

    [Fact]
    public void OtherFailures_AreAStatus_WithCodeReasonAndMessage()
    {
        var frame = ExecChannelProtocol.V5.StatusFrame(ExecChannelProtocol.Failure(404, "NotFound", "pod does not exist"))!;

        var status = JsonNode.Parse(frame.AsSpan(1))!;
        Assert.Equal(("Failure", "NotFound", "pod does not exist", 404),
            ((string?)status["status"], (string?)status["reason"], (string?)status["message"], (int?)status["code"]));
    }

    [Fact]
    public void BeforeV4_TheStatusIsText_AndSuccessIsSilence()
    {
        var v3 = ExecChannelProtocol.Negotiate(["v3.channel.k8s.io"])!;

        Assert.Null(v3.StatusFrame(ExecChannelProtocol.Success()));
        Assert.Equal("\u0003command terminated with non-zero exit code 3", Encoding.UTF8.GetString(v3.StatusFrame(ExecChannelProtocol.NonZeroExit(3))!));
        Assert.Equal("\u0003boom", Encoding.UTF8.GetString(ExecChannelProtocol.V1.StatusFrame(ExecChannelProtocol.Failure(500, "InternalError", "boom"))!));
    }

    [Fact]
    public void Options_ReadKubectlsQuery_AndRefuseWhatKubeApiserverRefuses()
    {
        var query = new QueryCollection(new Dictionary<string, StringValues>
        {
            ["command"] = new(["sh", "-c", "echo hi"]),
            ["container"] = "side",
            ["stdin"] = "true",
            ["stdout"] = "true",
            ["stderr"] = "1",
        });

        var options = ExecOptions.From(query);
        var none = ExecOptions.From(new QueryCollection(new Dictionary<string, StringValues> { ["stdout"] = "true" }));
        var silent = ExecOptions.From(new QueryCollection(new Dictionary<string, StringValues> { ["command"] = "ls" }));

        Assert.Equal(["sh", "-c", "echo hi"], options.Command.AsEnumerable());
        Assert.Equal(("side", true, true, true, false), (options.Container, options.Stdin, options.Stdout, options.Stderr, options.Tty));
        Assert.Null(options.Problem(attach: false));
        Assert.Equal("you must specify at least one command for the container", none.Problem(attach: false));
        Assert.Equal("you must specify at least 1 of stdin, stdout, stderr", silent.Problem(attach: false));
    }
}
