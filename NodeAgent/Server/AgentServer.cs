using System.Net;
using Granary.NodeAgent.Configuration;
using Granary.NodeAgent.Server.Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Granary.NodeAgent.Server;

/// <summary>
/// The agent's own server on the node address (the kubelet's port 10250): what the silos dial for the streams of a
/// pod, whose loopback address only this node can reach. It is a small Kestrel application of its own, apart from the
/// agent's host (and from the API of a dev silo that embeds the agent); each <see cref="IAgentServerModule"/> maps
/// its routes into it. It starts before the agent registers its node, so the Node names a port that answers.
/// It speaks only TLS: it proves itself with the node's serving certificate from the cluster CA and requires a silo's
/// client certificate from that CA (<see cref="ServingCredentials"/>); anyone else fails the handshake.
/// </summary>
public sealed partial class AgentServer(
    IOptions<AgentSettings> options,
    IEnumerable<IAgentServerModule> modules,
    AgentServerEndpoint endpoint,
    ServingCredentials credentials,
    ILoggerFactory loggers) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _logger = loggers.CreateLogger<AgentServer>();
    private WebApplication? _app;

    public async Task StartAsync(CancellationToken ct)
    {
        var settings = options.Value;
        if (!IPAddress.TryParse(settings.NodeIp, out var address))
            throw new InvalidOperationException($"--node-ip \"{settings.NodeIp}\" is not an IP address; the agent's server listens on the node address.");

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(AgentServer).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggers);
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(address, settings.ServerPort, listen => listen.UseHttps(new HttpsConnectionAdapterOptions
        {
            // Asked at every handshake, so a renewed certificate is served at once; null (none yet) fails the handshake.
            ServerCertificateSelector = (_, _) => credentials.Current,
            ClientCertificateMode = ClientCertificateMode.RequireCertificate,
            // The platform's verdict (system roots) is ignored: only the cluster CA and a silo's identity count.
            ClientCertificateValidation = (certificate, _, _) => credentials.AcceptsClient(certificate),
        })));
        var app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/healthz", () => Results.Text("ok"));
        foreach (var module in modules)
            module.Map(app);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            await app.DisposeAsync();
            throw new InvalidOperationException(
                $"the agent's server cannot listen on {settings.NodeIp}:{settings.ServerPort}: {e.Message}. Free the port or choose another with --server-port (0 takes any free port).", e);
        }
        _app = app;
        var port = BoundPort(app) ?? settings.ServerPort;
        endpoint.Started(port);
        LogListening(_logger, settings.NodeIp, port);
    }

    public async Task StopAsync(CancellationToken ct)
    {
        if (_app is not null)
            await _app.StopAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
            await _app.DisposeAsync();
    }

    private static int? BoundPort(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses
            .Select(a => BindingAddress.Parse(a).Port)
            .FirstOrDefault();

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent server listening on {Address}:{Port}")]
    private static partial void LogListening(ILogger logger, string address, int port);
}
