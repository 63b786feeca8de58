namespace Granary.Grains;

/// <summary>Names of the Orleans storage providers, in one place.</summary>
public static class StorageNames
{
    /// <summary>Grain state (node leases): memory in dev mode, Redis in production.</summary>
    public const string Default = "Default";
}
