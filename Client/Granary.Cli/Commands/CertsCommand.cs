using System.Net;
using Granary.Cli.Arguments;
using Granary.Cli.Certificates;

namespace Granary.Cli.Commands;

/// <summary>
/// `granary certs`: a lab PKI for a production cluster's mutual TLS, the way kubeadm and k3s generate theirs. Local
/// files only; the cluster is not contacted.
/// </summary>
internal sealed class CertsCommand : ICommand
{
    public string Name => "certs";

    public string Summary => "Create the cluster CA and the silo, node and user certificates for mutual TLS";

    public string Usage => """
        Create a lab cluster CA and certificates signed by it (PEM; private keys are written 0600).

        Usage:
          granary certs ca   --dir DIR [--force]                 DIR/ca.crt, DIR/ca.key (an existing CA is kept unless --force)
          granary certs silo NAME --dir DIR [--address IP]...   DIR/silo-NAME.crt/.key: CN=granary-silo-NAME, O=system:masters
          granary certs node NAME --dir DIR [--address IP]...   DIR/node-NAME.crt/.key: CN=system:node:NAME, O=system:nodes
          granary certs user NAME --dir DIR [--group G]...      DIR/user-NAME.crt/.key: CN=NAME, O=each group

        Examples:
          granary certs ca --dir /etc/granary/pki
          granary certs silo master-1 --dir /etc/granary/pki --address 192.0.2.11
          granary certs node worker-1 --dir /etc/granary/pki --address 192.0.2.21
          granary certs user admin --dir /etc/granary/pki --group system:masters

        A silo certificate serves and dials the silo and gateway ports (server and client authentication); a node
        certificate is the node agent's client certificate and may serve its port 10250; a user certificate is for
        the SDK, this CLI (--cluster-ca, --tls-certificate, --tls-key) and kubectl.
        """;

    public Task<int> RunAsync(CommandContext context, CancellationToken ct)
    {
        var args = context.Args;
        var words = args.Args;
        if (words.IsEmpty)
            throw new UsageException("certs needs what to create: ca, silo NAME, node NAME or user NAME");
        if (string.IsNullOrWhiteSpace(args.CertificateDir))
            throw new UsageException("certs needs --dir DIR, the folder of the cluster CA and its certificates");
        var dir = Path.GetFullPath(args.CertificateDir);
        var now = DateTimeOffset.UtcNow;
        try
        {
            if (words[0] == "ca")
            {
                if (words.Length != 1)
                    throw new UsageException("certs ca takes no name");
                var (authority, created) = LabCertificateAuthority.CreateOrOpen(dir, args.Force, now);
                using (authority)
                {
                    context.Out.WriteLine(created
                        ? $"cluster CA \"{authority.Subject}\" created: {authority.CertificatePath}, {authority.KeyPath}"
                        : $"cluster CA \"{authority.Subject}\" kept: {authority.CertificatePath} already exists (--force replaces it, and every certificate it signed stops being trusted)");
                }
                return Task.FromResult(0);
            }

            var role = words[0] switch
            {
                "silo" => LabRole.Silo,
                "node" => LabRole.Node,
                "user" => LabRole.User,
                _ => throw new UsageException($"certs {words[0]}: unknown kind of certificate; use ca, silo, node or user"),
            };
            if (words.Length != 2)
                throw new UsageException($"certs {words[0]} needs exactly one NAME");
            if (role == LabRole.User && !args.Addresses.IsEmpty)
                throw new UsageException("--address is for silo and node certificates; a user certificate names no addresses");
            var addresses = new List<IPAddress>();
            foreach (var text in args.Addresses)
                addresses.Add(IPAddress.TryParse(text, out var address) ? address : throw new UsageException($"--address {text} is not an IP address"));
            if (role != LabRole.User && addresses.Count == 0)
                addresses.Add(IPAddress.Loopback);

            using var ca = LabCertificateAuthority.Open(dir);
            var issued = ca.Issue(role, words[1], addresses, [.. args.Groups], now);
            context.Out.WriteLine($"{issued.Subject} signed by \"{ca.Subject}\", valid until {issued.NotAfter:u}" +
                (role == LabRole.User ? "" : $", addresses {string.Join(", ", addresses)}"));
            context.Out.WriteLine($"  certificate: {issued.CertificatePath}");
            context.Out.WriteLine($"  key:         {issued.KeyPath}");
            return Task.FromResult(0);
        }
        catch (LabCertificateException e)
        {
            throw new CommandException(e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CommandException($"cannot write in {dir}: {e.Message}");
        }
    }
}
