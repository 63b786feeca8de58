using System.Collections.Immutable;
using Granary.Model;

namespace Granary.Grains.Validation;

/// <summary>What the API server does to a Secret before validation: type Opaque when empty, stringData merged into data.</summary>
public static class SecretDefaults
{
    public static Secret Apply(Secret secret)
    {
        var data = secret.Data;
        if (secret.StringData is { Count: > 0 } stringData)
            data = (data ?? ImmutableSortedDictionary<string, Bytes>.Empty).SetItems(stringData.Select(e => KeyValuePair.Create(e.Key, Bytes.FromUtf8(e.Value))));
        return secret with
        {
            Type = string.IsNullOrEmpty(secret.Type) ? SecretTypes.Opaque : secret.Type,
            Data = data,
            StringData = null,
        };
    }
}
