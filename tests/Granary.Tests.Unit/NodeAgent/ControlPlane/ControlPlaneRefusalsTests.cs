using Granary.Errors;
using Granary.NodeAgent.ControlPlane;
using Granary.NodeAgent.Pods;
using Granary.Tests.Unit.NodeAgent.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.NodeAgent.ControlPlane;

/// <summary>Refusals of the control plane: logged once per kind of call with what to fix, each call backed off on its own.</summary>
public sealed class ControlPlaneRefusalsTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 7, 12, 0, 0, TimeSpan.Zero));
    private readonly LogRecorder _logs = new();
    private readonly ControlPlaneRefusals _refusals;
    private int _calls;

    public ControlPlaneRefusalsTests() =>
        _refusals = new ControlPlaneRefusals(new NodeIdentity("node-1", "127.0.0.1"), _time, _logs.For<ControlPlaneRefusals>());

    private static ForbiddenException Refusal(string what) =>
        new($"{what} is forbidden: User \"system:node:node-1\" cannot get resource \"{what}\"");

    private Task<int> Refused(AgentCall call, string target) =>
        _refusals.CallAsync<int>(call, target, () =>
        {
            _calls++;
            throw Refusal(target);
        });

    private Task<int> Allowed(AgentCall call, string target) =>
        _refusals.CallAsync(call, target, () =>
        {
            _calls++;
            return Task.FromResult(1);
        });

    private IReadOnlyList<LogRecorder.Entry> Warnings => [.. _logs.Entries.Where(e => e.Level == LogLevel.Warning)];

    [Fact]
    public async Task RefusedCall_IsNotAskedAgainBeforeItsBackOff_AndFailsWithTheRefusalMeanwhile()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/data"));
        Assert.Equal(1, _calls);

        var remembered = await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/data"));
        Assert.Equal(1, _calls);
        Assert.Contains("ns/data is forbidden", remembered.Message, StringComparison.Ordinal);

        // Another target of the same kind has its own back-off.
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/other"));
        Assert.Equal(2, _calls);

        // The first delay is FirstRetry stretched by at most 20 % jitter.
        _time.Advance(ControlPlaneRefusals.FirstRetry * 1.2 + TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/data"));
        Assert.Equal(3, _calls);
        // The second is twice as long: one FirstRetry and a bit is not enough.
        _time.Advance(ControlPlaneRefusals.FirstRetry * 1.2 + TimeSpan.FromMilliseconds(1));
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/data"));
        Assert.Equal(3, _calls);
    }

    [Fact]
    public async Task RefusalsOfOneKind_AreLoggedOnce_WithThePermissionAndWhatToFix_AndAgainWhenAllowed()
    {
        for (var i = 0; i < 5; i++)
        {
            await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReportPodStatuses, "node-1"));
            _time.Advance(ControlPlaneRefusals.LongestRetry * 1.2);
        }
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadPodConfig, "team-a"));

        Assert.Collection(Warnings,
            e =>
            {
                Assert.Contains("refuses node node-1 to update the status of the pods bound to it", e.Message, StringComparison.Ordinal);
                Assert.Contains("cannot get resource \"node-1\"", e.Message, StringComparison.Ordinal);
                Assert.Contains("CN system:node:node-1, O system:nodes", e.Message, StringComparison.Ordinal);
            },
            e => Assert.Contains("refuses node node-1 to get the ConfigMaps and Secrets its pods reference", e.Message, StringComparison.Ordinal));

        Assert.Equal(1, await Allowed(AgentCall.ReportPodStatuses, "node-1"));
        Assert.False(_refusals.IsRefused(AgentCall.ReportPodStatuses));
        Assert.True(_refusals.IsRefused(AgentCall.ReadPodConfig));
        Assert.Single(_logs.Entries, e => e.Level == LogLevel.Information
            && e.Message == "The control plane allows node node-1 to update the status of the pods bound to it again");

        // Refused again later: logged again, once.
        _time.Advance(ControlPlaneRefusals.LongestRetry * 1.2);
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReportPodStatuses, "node-1"));
        Assert.Equal(3, Warnings.Count);
    }

    [Fact]
    public async Task KindStaysRefused_WhileAnyOfItsTargetsIs()
    {
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/a"));
        await Assert.ThrowsAsync<ForbiddenException>(() => Refused(AgentCall.ReadVolumeClaim, "ns/b"));
        _time.Advance(ControlPlaneRefusals.FirstRetry * 1.2 + TimeSpan.FromMilliseconds(1));

        await Allowed(AgentCall.ReadVolumeClaim, "ns/a");
        Assert.True(_refusals.IsRefused(AgentCall.ReadVolumeClaim));
        await Allowed(AgentCall.ReadVolumeClaim, "ns/b");
        Assert.False(_refusals.IsRefused(AgentCall.ReadVolumeClaim));
        Assert.Single(Warnings);
    }

    [Fact]
    public async Task OtherFailures_PassThrough_AndBackNothingOff()
    {
        await Assert.ThrowsAsync<TimeoutException>(() => _refusals.CallAsync<int>(AgentCall.RenewLease, "node-1", () => throw new TimeoutException("slow")));
        Assert.Equal(1, await Allowed(AgentCall.RenewLease, "node-1"));
        Assert.Empty(Warnings);
    }

    public void Dispose() => _logs.Dispose();
}
