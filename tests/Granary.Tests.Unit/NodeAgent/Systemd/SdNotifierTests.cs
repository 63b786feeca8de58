using System.Net.Sockets;
using Granary.NodeAgent.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Granary.Tests.Unit.NodeAgent.Systemd;

public class SdNotifierTests
{
    [Fact]
    public void Notify_NoSocket_DoesNothing()
    {
        using var notifier = new SdNotifier(null, null, NullLogger<SdNotifier>.Instance);

        Assert.False(notifier.IsEnabled);
        Assert.Null(notifier.SocketPath);
        Assert.False(notifier.Notify("READY=1"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Notify_PathOrAbstractSocket_OneDatagramPerNotification(bool @abstract)
    {
        using var systemd = new NotifySocket(@abstract);
        using var notifier = new SdNotifier(systemd.Path, null, NullLogger<SdNotifier>.Instance);

        Assert.True(notifier.Notify("READY=1"));
        Assert.True(notifier.Notify("STATUS=Synced 3 pods\nWATCHDOG=1"));

        Assert.True(notifier.IsEnabled);
        Assert.Equal("READY=1", await systemd.NextAsync("READY=1"));
        Assert.Equal("STATUS=Synced 3 pods\nWATCHDOG=1", await systemd.NextAsync("STATUS and WATCHDOG"));
    }

    [Fact]
    public async Task Notify_ReceiverGone_ReturnsFalseWarnsOnceAndRecovers()
    {
        using var logs = new LogRecorder();
        using var systemd = new NotifySocket();
        using var notifier = new SdNotifier(systemd.Path, null, logs.For<SdNotifier>());
        systemd.Close();

        Assert.False(notifier.Notify("WATCHDOG=1"));
        Assert.False(notifier.Notify("WATCHDOG=1"));

        Assert.Equal([LogLevel.Warning, LogLevel.Debug], logs.Entries.Select(e => e.Level));
        Assert.StartsWith($"systemd notification WATCHDOG=1 not delivered to {systemd.Path}: ", logs.Entries[0].Message, StringComparison.Ordinal);

        File.Delete(systemd.Path);
        using var again = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        again.Bind(new UnixDomainSocketEndPoint(systemd.Path));
        Assert.True(notifier.Notify("WATCHDOG=1"));
        Assert.Equal($"systemd notifications reach {systemd.Path} again", logs.Entries[^1].Message);
        var buffer = new byte[64];
        Assert.Equal(10, await again.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Notify_NoSuchSocketFile_ReturnsFalse()
    {
        using var notifier = new SdNotifier($"/tmp/granary-missing-{Guid.NewGuid():N}/notify.sock", null, NullLogger<SdNotifier>.Instance);

        Assert.True(notifier.IsEnabled);
        Assert.False(notifier.Notify("READY=1"));
    }

    [Fact]
    public void Notify_AfterDispose_ReturnsFalse()
    {
        using var systemd = new NotifySocket();
        var notifier = new SdNotifier(systemd.Path, null, NullLogger<SdNotifier>.Instance);

        notifier.Dispose();

        Assert.False(notifier.Notify("READY=1"));
    }

    [Theory]
    [InlineData("vsock:2:1234")]
    [InlineData("relative/notify.sock")]
    [InlineData("@")]
    public void Constructor_UnsupportedAddress_DisabledWithAWarning(string address)
    {
        using var logs = new LogRecorder();

        using var notifier = new SdNotifier(address, null, logs.For<SdNotifier>());

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Notify("READY=1"));
        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Equal($"NOTIFY_SOCKET={address} is not a socket path or an '@' abstract name: systemd will not hear from the agent", entry.Message);
    }

    [Fact]
    public void Constructor_PathTooLongForASocket_DisabledWithAWarning()
    {
        using var logs = new LogRecorder();

        using var notifier = new SdNotifier("/" + new string('x', 200), null, logs.For<SdNotifier>());

        Assert.False(notifier.IsEnabled);
        Assert.Equal(LogLevel.Warning, Assert.Single(logs.Entries).Level);
    }

    [Fact]
    public void WatchdogInterval_AsGiven()
    {
        using var notifier = new SdNotifier(null, TimeSpan.FromSeconds(30), NullLogger<SdNotifier>.Instance);

        Assert.Equal(TimeSpan.FromSeconds(30), notifier.WatchdogInterval);
    }
}
