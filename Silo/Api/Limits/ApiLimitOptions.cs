namespace Granary.Silo.Api.Limits;

/// <summary>
/// The API's request limits, kube-apiserver's defaults where it has them. Set in the "ApiLimits" section
/// (appsettings.json, GRANARY_ApiLimits__X) or by the silo's flags named like kube-apiserver's
/// (<c>--max-request-body-bytes</c>, <c>--max-requests-inflight</c>, …, in SiloSettings.SwitchMappings).
/// A limit of 0 turns that limit off, as kube's --max-requests-inflight 0 does.
/// </summary>
public sealed class ApiLimitOptions
{
    public const string Section = "ApiLimits";

    /// <summary>The largest request body (kube-apiserver's --max-request-body-bytes, 3 MiB); larger is 413.</summary>
    public long MaxRequestBodyBytes { get; set; } = 3 * 1024 * 1024;

    /// <summary>The largest object stored, as JSON (1.5 MiB, etcd's default request limit); larger is 413.</summary>
    public long MaxObjectSizeBytes { get; set; } = 1536 * 1024;

    /// <summary>Non-mutating requests in flight at once, of all users but system:masters (kube-apiserver's --max-requests-inflight).</summary>
    public int MaxRequestsInflight { get; set; } = 400;

    /// <summary>Mutating requests in flight at once, of all users but system:masters (--max-mutating-requests-inflight).</summary>
    public int MaxMutatingRequestsInflight { get; set; } = 200;

    /// <summary>Requests one user (not in system:masters) may have in flight at once, so one client cannot take every slot.</summary>
    public int MaxRequestsInflightPerUser { get; set; } = 100;

    /// <summary>
    /// Requests system:masters may have in flight at once: a pool of their own, apart from everyone else's (kube's
    /// exempt priority level), so an admin is served while other users flood the API.
    /// </summary>
    public int MaxMastersRequestsInflight { get; set; } = 400;

    /// <summary>What is wrong with these settings, or null.</summary>
    public string? Problem() =>
        MaxRequestBodyBytes <= 0 ? $"--max-request-body-bytes must be positive, not {MaxRequestBodyBytes}"
        : MaxObjectSizeBytes <= 0 ? $"ApiLimits:MaxObjectSizeBytes must be positive, not {MaxObjectSizeBytes}"
        : MaxRequestsInflight < 0 ? $"--max-requests-inflight must be 0 (no limit) or more, not {MaxRequestsInflight}"
        : MaxMutatingRequestsInflight < 0 ? $"--max-mutating-requests-inflight must be 0 (no limit) or more, not {MaxMutatingRequestsInflight}"
        : MaxRequestsInflightPerUser < 0 ? $"--max-requests-inflight-per-user must be 0 (no limit) or more, not {MaxRequestsInflightPerUser}"
        : MaxMastersRequestsInflight < 0 ? $"--max-masters-requests-inflight must be 0 (no limit) or more, not {MaxMastersRequestsInflight}"
        : null;
}
