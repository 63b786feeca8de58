using System.Globalization;

namespace Granary.Bench;

internal enum ChurnVerb
{
    Create,
    Scale,
    Delete,
}

/// <summary>One step of the churn: a Deployment created with, scaled to, or deleted from <see cref="Replicas"/>; how many pods that starts or stops.</summary>
internal sealed record ChurnOperation(ChurnVerb Verb, string Deployment, int Replicas, int PodsChanged);

/// <summary>
/// The churn scenario's operations, drawn from a fixed seed so runs repeat: Deployments of 1, 5, 20 and 100 replicas
/// (small ones more often, as in clusterloader2's load test) created, scaled to another of those sizes, and deleted,
/// never holding more than <c>maxPods</c> pods at once. Knows which Deployments live and their replicas.
/// </summary>
internal sealed class ChurnPlan(int maxPods)
{
    public const string NamePrefix = "churn-";

    private static readonly (int Replicas, int Weight)[] Sizes = [(1, 8), (5, 4), (20, 2), (100, 1)];

    private readonly Random _random = new(20240);
    private readonly Dictionary<string, int> _live = new(StringComparer.Ordinal);
    private int _created;

    /// <summary>The Deployments that live after the operations drawn so far, and their replicas.</summary>
    public IReadOnlyDictionary<string, int> Live => _live;

    public int LivePods { get; private set; }

    public ChurnOperation Next()
    {
        var size = DrawSize();
        var roll = _random.NextDouble();
        if (_live.Count == 0 || (roll < 0.4 && LivePods + size <= maxPods))
            return Apply(new ChurnOperation(ChurnVerb.Create, NamePrefix + (_created++).ToString("D5", CultureInfo.InvariantCulture), size, size));
        var name = _live.Keys.ElementAt(_random.Next(_live.Count));
        var replicas = _live[name];
        if (roll < 0.75 && size != replicas && LivePods - replicas + size <= maxPods)
            return Apply(new ChurnOperation(ChurnVerb.Scale, name, size, Math.Abs(size - replicas)));
        return Apply(new ChurnOperation(ChurnVerb.Delete, name, replicas, replicas));
    }

    private int DrawSize()
    {
        // Sizes larger than the pod cap are never drawn; the cap is at least 1, so the smallest always fits.
        var fitting = Sizes.Where(s => s.Replicas <= maxPods).ToList();
        var pick = _random.Next(fitting.Sum(s => s.Weight));
        foreach (var (replicas, weight) in fitting)
        {
            if (pick < weight)
                return replicas;
            pick -= weight;
        }
        return fitting[^1].Replicas;
    }

    private ChurnOperation Apply(ChurnOperation operation)
    {
        LivePods += operation.Verb switch
        {
            ChurnVerb.Create => operation.Replicas,
            ChurnVerb.Scale => operation.Replicas - _live[operation.Deployment],
            _ => -operation.Replicas,
        };
        if (operation.Verb == ChurnVerb.Delete)
            _live.Remove(operation.Deployment);
        else
            _live[operation.Deployment] = operation.Replicas;
        return operation;
    }
}
