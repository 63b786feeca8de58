using Microsoft.Extensions.Logging;

namespace Granary.NodeAgent.Networking.Proxy.Nftables;

public sealed partial class NftablesProxy
{
    [LoggerMessage(Level = LogLevel.Information, Message = "nftables table {Table} applied: {Listeners} listeners, {Refusing} of them without endpoints (refusing)")]
    private static partial void LogCommitted(ILogger logger, string table, int listeners, int refusing);

    [LoggerMessage(Level = LogLevel.Error, Message = "nftables table {Table} could not be applied; the kernel keeps the previous rules: {Error}")]
    private static partial void LogCommitFailed(ILogger logger, string table, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Service proxy (nftables): {Listener} is not served: {Reason}")]
    private static partial void LogNotServed(ILogger logger, string listener, string reason);
}
