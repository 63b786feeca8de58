
namespace Granary.Silo;

/// <summary>One line per entry, and Orleans' own chatter kept to what an operator needs.</summary>
internal static class Logs
{
    public static void Configure(ILoggingBuilder logging)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss ";
        });
        logging.AddFilter("Orleans", LogLevel.Warning);
        logging.AddFilter("Microsoft", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        // Placement retries during a failover log one warning per message; the membership log says what matters.
        logging.AddFilter("Polly", LogLevel.Error);
    }
}
