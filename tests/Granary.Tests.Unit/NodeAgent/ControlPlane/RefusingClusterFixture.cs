using System.Collections.Concurrent;
using Granary.Errors;
using Granary.Tests.Unit.Grains;

namespace Granary.Tests.Unit.NodeAgent.ControlPlane;

/// <summary>
/// The in-process silo, whose client refuses the calls a test names (as the Node authorizer would, with a 403) before
/// they leave: a control plane that says Forbidden to an agent embedded in the test, and only where the test wants.
/// </summary>
public sealed class RefusingClusterFixture : ClusterFixture
{
    private readonly ConcurrentDictionary<(Type Interface, string Method), int> _refused = new();

    /// <summary>Refuses every call of <paramref name="method"/> declared by <typeparamref name="TInterface"/> until <see cref="Allow"/>.</summary>
    public void Refuse<TInterface>(string method) => _refused[(typeof(TInterface), method)] = 0;

    public void Allow<TInterface>(string method) => _refused.TryRemove((typeof(TInterface), method), out _);

    /// <summary>How many calls of the method were refused so far.</summary>
    public int Refusals<TInterface>(string method) => _refused.GetValueOrDefault((typeof(TInterface), method));

    protected override void ConfigureClient(IClientBuilder client) =>
        client.AddOutgoingGrainCallFilter(async context =>
        {
            var key = (context.InterfaceMethod.DeclaringType ?? typeof(object), context.InterfaceMethod.Name);
            if (_refused.ContainsKey(key))
            {
                _refused.AddOrUpdate(key, 1, (_, n) => n + 1);
                throw new ForbiddenException(
                    $"{key.Item2} is forbidden: User \"system:node:test\" cannot call {key.Item1.Name}.{key.Item2} (refused by the test)");
            }
            await context.Invoke();
        });
}
