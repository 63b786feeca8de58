namespace Granary.NodeAgent.Networking.Dns;

/// <summary>
/// A resolv.conf's nameservers, search domains and options, read as the kubelet reads the host's (parseResolvConf):
/// comments start with # or ;, every <c>nameserver</c> line adds one, the last <c>search</c> line wins (trailing dots
/// dropped, "." left out), every <c>options</c> line adds its options.
/// </summary>
public sealed record HostDnsConfig(IReadOnlyList<string> Nameservers, IReadOnlyList<string> Searches, IReadOnlyList<string> Options)
{
    public static HostDnsConfig Empty { get; } = new([], [], []);

    public static HostDnsConfig Parse(string text)
    {
        var nameservers = new List<string>();
        IReadOnlyList<string> searches = [];
        var options = new List<string>();
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Split('#', ';')[0];
            var fields = line.Split((char[])[' ', '\t', '\r'], StringSplitOptions.RemoveEmptyEntries);
            switch (fields)
            {
                case ["nameserver", var server, ..]:
                    nameservers.Add(server);
                    break;
                case ["search", .. var domains]:
                    searches = [.. domains.Where(d => d != ".").Select(d => d.TrimEnd('.'))];
                    break;
                case ["options", .. var opts]:
                    options.AddRange(opts);
                    break;
            }
        }
        return new HostDnsConfig(nameservers, searches, options);
    }

    /// <summary>The file at <paramref name="path"/>; an empty configuration when it does not exist.</summary>
    public static HostDnsConfig Read(string path) => File.Exists(path) ? Parse(File.ReadAllText(path)) : Empty;
}
