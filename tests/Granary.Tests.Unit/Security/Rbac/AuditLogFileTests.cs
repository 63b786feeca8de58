using Granary.Silo.Security;
using Microsoft.Extensions.Time.Testing;

namespace Granary.Tests.Unit.Security.Rbac;

public sealed class AuditLogFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-audit-").FullName;

    [Fact]
    public void Lines_PastMaxSize_RotateTheFile_AndOnlyMaxBackupRotatedFilesAreKept()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 7, 15, 4, 5, TimeSpan.Zero));
        var path = Path.Combine(_dir, "logs", "audit.log");
        var line = new string('x', 300 * 1024);
        using (var log = new AuditLogFile(path, maxSizeMegabytes: 1, maxBackups: 2, time))
        {
            for (var i = 0; i < 13; i++)
            {
                log.WriteLine($"{i}:{line}");
                time.Advance(TimeSpan.FromSeconds(1));
            }
        }

        // 3 lines fit in 1 MB: lines 0-2, 3-5, 6-8 and 9-11 are rotated out at lines 3, 6, 9 and 12 (the oldest two deleted).
        var rotated = Directory.GetFiles(Path.Combine(_dir, "logs"), "audit-*.log").Order(StringComparer.Ordinal).Select(f => Path.GetFileName(f)).ToArray();
        Assert.Equal(["audit-2026-12-07T15-04-14.000.log", "audit-2026-12-07T15-04-17.000.log"], rotated);
        Assert.StartsWith("12:", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.StartsWith("9:", File.ReadAllText(Path.Combine(_dir, "logs", rotated[1])), StringComparison.Ordinal);
    }

    [Fact]
    public void UnwritablePath_IsAStartError_NamingTheFlag()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "");

        var e = Assert.Throws<ApiSecurityException>(() => AuditLogFile.CheckWritable(Path.Combine(file, "audit.log")));

        Assert.Contains("--audit-log-path", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
