using Granary.Api;
using Granary.Errors;
using Granary.Model;

namespace Granary.Grains.Hosting;

/// <summary>
/// Makes sure the namespaces that always exist (default, kube-system) do, each with its default ServiceAccount. Safe on
/// every silo at once.
/// </summary>
public static class BuiltInNamespaces
{
    public static async Task EnsureAsync(IGrainFactory grains)
    {
        foreach (var name in Namespace.BuiltIn)
        {
            try
            {
                await grains.GetGrain<INamespaceGrain>(name).CreateAsync(new Namespace { Metadata = new ObjectMeta { Name = name } });
            }
            catch (AlreadyExistsException)
            {
                // Created before (or by another silo just now).
            }
            await grains.GetGrain<IServiceAccountGrain>(ResourceKinds.ServiceAccount.KeyOf(name, ServiceAccount.Default)).EnsureDefaultAsync();
        }
    }
}
