using System.Collections.Immutable;
using Granary.Api;
using Granary.Certificates;
using Granary.Errors;
using Granary.Grains.Caching;
using Granary.Grains.Security.Nodes;
using Granary.Grains.Security.Rbac;
using Granary.Model;
using Microsoft.Extensions.Logging;

namespace Granary.Grains.Security.GrainCalls;

/// <summary>
/// Authorizes every grain call a silo receives (production mode). Calls stamped by a silo of the cluster are
/// trusted (the silos' own work, and what they do on behalf of a caller they already authorized); any other call is
/// an outside caller's: its method is mapped to Kubernetes attributes (<see cref="GrainCallMap"/>) and the
/// <see cref="IAuthorizer"/> decides, and for nodes NodeRestriction's rules on what they send apply too. Methods
/// that are internal to the silos are refused to every outside caller. Writes of Roles and bindings pass the same
/// escalation check as the HTTP API's (<see cref="RbacEscalation"/>). A refusal is a <see cref="ForbiddenException"/>
/// worded as kube-apiserver words it.
/// </summary>
public sealed partial class GrainCallAuthorizationFilter(
    CallerAuthenticator authenticator, IAuthorizer authorizer, INodeGraph graph, RbacEscalation escalation, WatchCache cache,
    ILogger<GrainCallAuthorizationFilter> logger) : IIncomingGrainCallFilter
{
    /// <summary>Label keys under this prefix are for administrators to set on nodes, never for a node itself (NodeRestriction).</summary>
    public const string NodeRestrictionLabelPrefix = "node-restriction.kubernetes.io/";

    private const string TimerInvoker = "Orleans.Runtime.IGrainTimerInvoker";

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        // Timer ticks are delivered as local grain calls to the timer itself (Orleans' internal IGrainTimerInvoker),
        // which no message from outside can name: nothing to authorize.
        // Orleans' system targets and grain services (cluster manifest, directory, membership, reminders) carry the
        // runtime's own protocol between silos and with clients, without caller proofs: they are guarded by mutual TLS
        // (a certificate of the cluster CA) and are not part of the Kubernetes surface.
        if (context.InterfaceMethod.DeclaringType?.FullName == TimerInvoker || context.TargetId.IsSystemTarget() || context.TargetId.Type.IsGrainService())
        {
            await context.Invoke();
            return;
        }
        var caller = authenticator.Authenticate(RequestContext.Get(CallerProof.RequestContextKey) as string, out var problem);
        if (caller.IsSilo)
        {
            await context.Invoke();
            return;
        }

        var user = caller.User;
        var key = context.TargetId.Key.ToString() ?? "";
        var checks = GrainCallMap.Checks(user, context.InterfaceMethod.DeclaringType ?? typeof(object), context.InterfaceMethod.Name,
            context.Grain.GetType(), key, i => i < context.Request.GetArgumentCount() ? context.Request.GetArgument(i) : null, out var internalOnly);
        if (checks is not { } required)
        {
            LogInternalRefused(logger, user.Name, internalOnly!, problem ?? "");
            throw new ForbiddenException($"forbidden: User \"{user.Name}\" cannot call {internalOnly}: it is internal to the silos, no client may call it");
        }
        foreach (var attributes in required)
        {
            var result = await authorizer.AuthorizeAsync(attributes);
            if (!result.Allowed)
            {
                LogDenied(logger, user.Name, attributes.Verb, attributes.Resource, attributes.Namespace, attributes.Name, result.Reason, problem ?? "");
                throw new ForbiddenException(ForbiddenMessages.For(attributes, result.Reason));
            }
        }
        await CheckEscalationAsync(user, context, key);
        if (user.InGroup(WellKnownGroups.Nodes) && await NodeRestrictionProblemAsync(user, context) is { } restricted)
        {
            LogDenied(logger, user.Name, "call", context.InterfaceMethod.Name, "", key, restricted, "");
            throw new ForbiddenException($"forbidden: User \"{user.Name}\" {restricted}");
        }
        await context.Invoke();
    }

    /// <summary>
    /// The escalation check of a Role or binding written through a resource grain: create and its dry run, update and
    /// apply and their dry run. The stored object, for an update, is the watch cache's: the grain being called cannot
    /// be asked from its own call.
    /// </summary>
    private async Task CheckEscalationAsync(UserInfo user, IIncomingGrainCallContext context, string key)
    {
        if (context.Request.GetArgumentCount() == 0 || context.Request.GetArgument(0) is not IResource written || !RbacEscalation.Guards(written))
            return;
        var iface = context.InterfaceMethod.DeclaringType;
        var method = context.InterfaceMethod.Name;
        var resourceGrain = iface?.IsGenericType == true && iface.GetGenericTypeDefinition() == typeof(IResourceGrain<>);
        var creating = resourceGrain && method == nameof(IResourceGrain<Role>.CreateAsync)
            || iface == typeof(IResourceDryRun) && method == nameof(IResourceDryRun.DryRunCreateAsync);
        var updating = resourceGrain && method is nameof(IResourceGrain<Role>.UpdateAsync) or nameof(IResourceGrain<Role>.ApplyAsync)
            || iface == typeof(IResourceDryRun) && method == nameof(IResourceDryRun.DryRunUpdateAsync) && context.Request.GetArgument(1) is false;
        if (creating)
            await escalation.CheckCreateAsync(user, written);
        else if (updating)
            await escalation.CheckUpdateAsync(user, written, () => Task.FromResult(cache.For(KindOf(written)).Get(key)));
    }

    private static ResourceKind KindOf(IResource written) => written switch
    {
        Role => ResourceKinds.Role,
        ClusterRole => ResourceKinds.ClusterRole,
        RoleBinding => ResourceKinds.RoleBinding,
        _ => ResourceKinds.ClusterRoleBinding,
    };

    /// <summary>NodeRestriction admission: what a node may not write even where it may write.</summary>
    private async ValueTask<string?> NodeRestrictionProblemAsync(UserInfo user, IIncomingGrainCallContext context)
    {
        var node = user.Name.StartsWith(WellKnownUsers.NodePrefix, StringComparison.Ordinal) ? user.Name[WellKnownUsers.NodePrefix.Length..] : "";
        var method = context.InterfaceMethod.Name;
        if (context.InterfaceMethod.DeclaringType == typeof(INodeGrain) && method == nameof(INodeGrain.RegisterAsync) && context.Request.GetArgument(0) is Node registered)
        {
            if (registered.Metadata.Name is { } name && name != node)
                return $"cannot register node \"{name}\": a node may only register itself (\"{node}\")";
            if (registered.Metadata.Labels?.Keys.FirstOrDefault(k => k.StartsWith(NodeRestrictionLabelPrefix, StringComparison.Ordinal)) is { } label)
                return $"is not allowed to modify labels: {label} (labels under {NodeRestrictionLabelPrefix} are set by administrators)";
        }
        if (context.InterfaceMethod.DeclaringType?.IsGenericType == true && context.InterfaceMethod.DeclaringType.GetGenericArguments()[0] == typeof(Node)
            && context.Request.GetArgumentCount() > 0 && context.Request.GetArgument(0) is Node node2
            && node2.Metadata.Labels?.Keys.FirstOrDefault(k => k.StartsWith(NodeRestrictionLabelPrefix, StringComparison.Ordinal)) is { } label2)
            return $"is not allowed to modify labels: {label2} (labels under {NodeRestrictionLabelPrefix} are set by administrators)";
        if (context.InterfaceMethod.DeclaringType == typeof(INodeGrain) && method == nameof(INodeGrain.RecordEventsAsync)
            && context.Request.GetArgument(0) is ImmutableArray<Event> { IsDefault: false } events)
        {
            foreach (var e in events)
            {
                var about = e.InvolvedObject;
                if (about.Kind == "Node" && about.Name == node)
                    continue;
                if (about.Kind == "Pod" && await BoundAsync(node, about.Namespace, about.Name))
                    continue;
                return $"cannot create an event about {about.Kind} \"{about.Namespace}/{about.Name}\": a node records events about itself and its pods only";
            }
        }
        return null;
    }

    private async ValueTask<bool> BoundAsync(string node, string? ns, string? name) =>
        (await graph.PodsOnAsync(node, consistent: false)).Any(p => p.Metadata.Namespace == ns && p.Metadata.Name == name)
        || (await graph.PodsOnAsync(node, consistent: true)).Any(p => p.Metadata.Namespace == ns && p.Metadata.Name == name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {User}'s call of {Method}: internal to the silos {Authentication}")]
    private static partial void LogInternalRefused(ILogger logger, string user, string method, string authentication);

    [LoggerMessage(Level = LogLevel.Information, Message = "Forbidden: {User} {Verb} {Resource} {Namespace}/{Name}: {Reason} {Authentication}")]
    private static partial void LogDenied(ILogger logger, string user, string verb, string resource, string @namespace, string name, string reason, string authentication);
}

/// <summary>
/// Stamps the calls a silo makes to grains with its own caller proof, so the receiving silo trusts them, and strips
/// any proof from calls to clients (observers): no client ever receives a silo's proof or another client's.
/// </summary>
public sealed class SiloCallStamp(GrainCallSecurityOptions options) : IOutgoingGrainCallFilter
{
    // async on purpose: RequestContext lives in an AsyncLocal, and an async method's changes to it end with the
    // method, so the calling grain keeps its own context (its caller's proof) for its later work.
    public async Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.TargetId.IsClient())
            RequestContext.Remove(CallerProof.RequestContextKey);
        else
            RequestContext.Set(CallerProof.RequestContextKey, options.SiloProof);
        await context.Invoke();
    }
}
