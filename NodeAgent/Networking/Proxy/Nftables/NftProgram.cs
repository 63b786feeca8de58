using System.ComponentModel;
using System.Diagnostics;

namespace Granary.NodeAgent.Networking.Proxy.Nftables;

/// <summary>
/// Runs the <c>nft</c> program (Debian's nftables package): a script on its standard input is one kernel transaction,
/// applied whole or not at all. Needs CAP_NET_ADMIN.
/// </summary>
public sealed class NftProgram(string path = "nft")
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    private const string HowToFix = "install the nftables package (apt-get install nftables), run the agent as root (nftables needs CAP_NET_ADMIN), or start it with --proxy-mode relay";

    /// <summary>Applies <paramref name="script"/> (<c>nft -f -</c>); throws <see cref="NftablesException"/> with nft's error when it fails.</summary>
    public void Apply(string script) => Run(script, "-f", "-");

    /// <summary>The table's rules as nft prints them, or null when there is no such table.</summary>
    public string? List(string table)
    {
        try
        {
            return Run(null, "list", "table", "ip", table);
        }
        catch (NftablesException e) when (e.Message.Contains("No such file or directory", StringComparison.Ordinal))
        {
            return null;
        }
    }

    /// <summary>
    /// Proves the agent can program nftables: creates <paramref name="table"/> if absent (an existing one, kept from
    /// before a restart, is left as it is). Throws <see cref="NftablesException"/> saying how to fix it otherwise.
    /// </summary>
    public void Probe(string table) => Run($"add table ip {table}\n", "-f", "-");

    private string Run(string? input, params string[] args)
    {
        var info = new ProcessStartInfo(path)
        {
            UseShellExecute = false,
            RedirectStandardInput = input is not null,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new NftablesException($"{path} did not start; {HowToFix}");
        }
        catch (Win32Exception e)
        {
            throw new NftablesException($"cannot run {path}: {e.Message}; {HowToFix}");
        }
        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (input is not null)
            {
                process.StandardInput.Write(input);
                process.StandardInput.Close();
            }
            if (!process.WaitForExit(Timeout))
            {
                process.Kill();
                throw new NftablesException($"{path} {string.Join(' ', args)} did not finish within {Timeout.TotalSeconds:0} s");
            }
            if (process.ExitCode != 0)
            {
                var message = error.GetAwaiter().GetResult().Trim();
                var fix = message.Contains("Operation not permitted", StringComparison.Ordinal) ? $"; {HowToFix}" : "";
                throw new NftablesException($"{path} {string.Join(' ', args)} exited with {process.ExitCode}: {message}{fix}");
            }
            return output.GetAwaiter().GetResult();
        }
    }
}

/// <summary>nft failed; the message carries its error and, when the agent lacks the program or the permission, the fix.</summary>
public sealed class NftablesException(string message) : Exception(message);
