using System.Text;

namespace Granary.Hostile;

/// <summary>
/// Hostile requests for one namespace, the same ones for the same seed: every category in turn, each drawing its
/// variations from one seeded Random, until the count is reached. The objects the patches aim at are named in
/// <see cref="Setup"/>; creates are dry runs, so a run leaves nothing behind but its namespace.
/// </summary>
public sealed partial class HostileCorpus(string ns)
{
    public const string ConfigMapName = "hostile-target";

    private const string Json = "application/json";
    private const string Protobuf = "application/vnd.kubernetes.protobuf";
    private static readonly (string Name, string Value)[] NoHeaders = [];

    /// <summary>The valid requests that make the namespace and the object patches aim at (201, or 409 when they exist).</summary>
    public IReadOnlyList<HostileRequest> Setup() =>
    [
        new("setup", "the namespace", "POST", "/api/v1/namespaces", Json, Utf8(("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"" + (ns) + "\"}}")), NoHeaders),
        new("setup", "the configmap patches aim at", "POST", $"/api/v1/namespaces/{ns}/configmaps", Json, Utf8(("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + (ConfigMapName) + "\",\"labels\":{\"app\":\"x\"}},\"data\":{\"k\":\"v\"}}")), NoHeaders),
    ];

    /// <summary>The namespace's deletion, which takes the objects with it.</summary>
    public HostileRequest Teardown() => new("teardown", "the namespace", "DELETE", $"/api/v1/namespaces/{ns}", null, null, NoHeaders);

    /// <summary><paramref name="count"/> requests from every category in turn, the same for the same seed.</summary>
    public IReadOnlyList<HostileRequest> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var result = new List<HostileRequest>(count);
        while (result.Count < count)
        {
            var round = Categories().Select(category => new Queue<HostileRequest>(category(random))).ToList();
            while (result.Count < count && round.Any(q => q.Count > 0))
            {
                foreach (var queue in round)
                {
                    if (result.Count < count && queue.TryDequeue(out var request))
                        result.Add(request);
                }
            }
        }
        return result;
    }

    private IEnumerable<Func<Random, IEnumerable<HostileRequest>>> Categories() =>
    [
        MalformedJson, MalformedYaml, MalformedProtobuf, WrongTypes, Names, InvalidUtf8, DeepNesting, YamlAliases, Huge,
        AbsurdNumbers, Selectors, BadPatches, PathTricks, BadHeaders,
    ];

    // Templates: valid objects of several kinds, each with metadata, spec and status to put wrong types into.
    private static readonly (string Kind, string Collection, string Json)[] Templates =
    [
        ("Pod", "pods", """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"x"},"annotations":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox","command":["sleep","1"],"ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"limits":{"cpu":"100m","memory":"64Mi"}},"env":[{"name":"A","value":"b"}]}],"terminationGracePeriodSeconds":30,"restartPolicy":"Always","nodeSelector":{"k":"v"}},"status":{"phase":"Pending"}}"""),
        ("ConfigMap", "configmaps", """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"app":"x"}},"data":{"k":"v"}}"""),
        ("Service", "services", """{"apiVersion":"v1","kind":"Service","metadata":{"name":"s"},"spec":{"selector":{"app":"x"},"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}],"type":"ClusterIP"}}"""),
        ("Deployment", "deployments", """{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":1,"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}},"status":{"replicas":0}}"""),
        ("Secret", "secrets", """{"apiVersion":"v1","kind":"Secret","metadata":{"name":"s"},"type":"Opaque","data":{"k":"dmFsdWU="}}"""),
    ];

    private string CollectionOf(string collection) => collection == "deployments"
        ? $"/apis/apps/v1/namespaces/{ns}/deployments"
        : $"/api/v1/namespaces/{ns}/{collection}";

    private HostileRequest Create(string category, string description, string collection, string body, string contentType = Json, bool maySucceed = false) =>
        new(category, description, "POST", CollectionOf(collection) + "?dryRun=All", contentType, Utf8(body), NoHeaders, maySucceed);

    private HostileRequest Create(string category, string description, string collection, byte[] body, string contentType = Json) =>
        new(category, description, "POST", CollectionOf(collection) + "?dryRun=All", contentType, body, NoHeaders);

    private HostileRequest CreateMaySucceed(string category, string description, string collection, byte[] body) =>
        Create(category, description, collection, body) with { MaySucceed = true };

    private string Target => $"/api/v1/namespaces/{ns}/configmaps/{ConfigMapName}";

    private HostileRequest Patch(string category, string description, string contentType, string body, string query = "") =>
        new(category, description, "PATCH", Target + "?dryRun=All" + query, contentType, Utf8(body), NoHeaders);

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static string Clip(string text) => text.Length <= 60 ? text.Replace("\n", "\\n", StringComparison.Ordinal) : $"{text[..40].Replace("\n", "\\n", StringComparison.Ordinal)}… ({text.Length} chars)";
}
