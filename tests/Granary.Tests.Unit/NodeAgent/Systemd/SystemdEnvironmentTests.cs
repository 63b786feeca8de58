using Granary.NodeAgent.Systemd;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

public class SystemdEnvironmentTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("/run/systemd/notify", "/run/systemd/notify")]
    [InlineData("@/org/freedesktop/systemd1/notify/123", "@/org/freedesktop/systemd1/notify/123")]
    public void NotifySocket_FromNotifySocket(string? value, string? expected)
    {
        Assert.Equal(expected, SystemdEnvironment.NotifySocket(value is null ? Env() : Env(("NOTIFY_SOCKET", value))));
    }

    [Theory]
    // WATCHDOG_USEC | WATCHDOG_PID | expected seconds (-1: none)
    [InlineData("30000000", null, 30)]
    [InlineData("2000000", "4242", 2)]
    [InlineData("2000000", "4243", -1)]
    [InlineData("2000000", "not-a-pid", -1)]
    [InlineData("0", null, -1)]
    [InlineData("-5", null, -1)]
    [InlineData("30s", null, -1)]
    [InlineData("", null, -1)]
    [InlineData(null, null, -1)]
    public void WatchdogInterval_FromWatchdogUsecForThisProcess(string? usec, string? pid, double expected)
    {
        var variables = new List<(string, string)>();
        if (usec is not null)
            variables.Add(("WATCHDOG_USEC", usec));
        if (pid is not null)
            variables.Add(("WATCHDOG_PID", pid));

        var interval = SystemdEnvironment.WatchdogInterval(Env([.. variables]), processId: 4242);

        Assert.Equal(expected < 0 ? null : TimeSpan.FromSeconds(expected), interval);
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("JOURNAL_STREAM", true)]
    [InlineData("INVOCATION_ID", true)]
    [InlineData("NOTIFY_SOCKET", true)]
    [InlineData("TERM", false)]
    public void IsUnderSystemd_BySystemdsVariables(string? variable, bool expected)
    {
        var env = variable is null ? Env() : Env((variable, "8:12345"));

        Assert.Equal(expected, JournaldLogging.IsUnderSystemd(env));
    }

    [Fact]
    public void IsUnderSystemd_EmptyVariable_DoesNotCount()
    {
        Assert.False(JournaldLogging.IsUnderSystemd(Env(("JOURNAL_STREAM", ""))));
    }
}
