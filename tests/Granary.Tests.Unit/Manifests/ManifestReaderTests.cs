using Granary.Client.Manifests;
using Granary.Errors;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.Manifests;

public sealed class ManifestReaderTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("granary-manifests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string PodYaml = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web
          labels:
            app: web
            version: "1.0"
        spec:
          containers:
          - name: web
            image: nginx:1.25
            ports:
            - containerPort: 8080
            resources:
              requests:
                cpu: 1
                memory: 128Mi
              limits:
                cpu: 1.50
        """;

    [Fact]
    public void Parse_Pod_ReadsTypedScalarsAndQuantities()
    {
        var pod = Assert.IsType<Pod>(Assert.Single(ManifestReader.Parse(PodYaml, "pod.yaml")));

        var container = Assert.Single(pod.Spec.Containers!);
        Assert.Equal(("web", "web", "1.0"), (pod.Metadata.Name, pod.Metadata.Labels!["app"], pod.Metadata.Labels["version"]));
        Assert.Equal(("nginx:1.25", 8080), (container.Image, container.Ports![0].Number));
        Assert.Equal(("1", "128Mi", "1.50"), (container.Resources!.Requests!["cpu"].Text, container.Resources.Requests["memory"].Text, container.Resources.Limits!["cpu"].Text));
    }

    [Fact]
    public void Parse_MultiDocumentYaml_SkipsEmptyDocumentsAndKeepsOrder()
    {
        const string text = """
            ---
            # only a comment
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
            ---
            ---   # separator with a comment
            kind: Node
            metadata:
              name: node-1
            ...
            ---
            null
            """;

        var objects = ManifestReader.Parse(text, "all.yaml");

        Assert.Equal(["Namespace/team-a", "Node/node-1"], objects.Select(o => $"{o.Kind}/{o.Metadata.Name}"));
    }

    [Fact]
    public void Parse_Json_ReadsOneOrSeveralObjects()
    {
        const string text = """
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a"}}
            // comments and trailing commas are accepted, as in every Granary JSON input
            {"kind": "Namespace", "metadata": {"name": "b",},}
            """;

        var objects = ManifestReader.Parse(text, "ns.json");

        Assert.Equal(["a", "b"], objects.Select(o => o.Metadata.Name));
    }

    [Fact]
    public void Parse_List_ExpandsItems()
    {
        const string text = """
            apiVersion: v1
            kind: List
            items:
            - kind: Namespace
              metadata: {name: a}
            - kind: Node
              metadata: {name: n}
            """;

        var objects = ManifestReader.Parse(text, "list.yaml");

        Assert.Equal(["Namespace/a", "Node/n"], objects.Select(o => $"{o.Kind}/{o.Metadata.Name}"));
    }

    [Fact]
    public void Parse_TypedList_GivesItemsWithoutKindTheListsKind()
    {
        const string text = """{"apiVersion":"v1","kind":"PodList","items":[{"metadata":{"name":"a"},"spec":{}}]}""";

        var pod = Assert.Single(ManifestReader.Parse(text, "pods.json"));

        Assert.Equal(("Pod", "v1", "a"), (pod.Kind, pod.ApiVersion, pod.Metadata.Name));
    }

    // Every kind of the registry, in its order.
    private static readonly string Served = string.Join(", ", ResourceKinds.All.Select(k => k.Kind));

    [Theory]
    [InlineData("kind: Pod\nmetadata: {name: a}\n---\nkind: Pod\nmetadata:\n  name: b\n   bad: indent\n",
        "pod.yaml (document 2): error converting YAML to JSON: yaml: line 7: while scanning a plain scalar value, found invalid mapping")]
    [InlineData("kind: Pod\nmetadata:\n  name: a\n  name: b\n",
        "pod.yaml (document 1): error converting YAML to JSON: yaml: line 4: duplicate key name")]
    [InlineData("kind: Pod\nspec:\n  containers:\n  - name: a\n    ports:\n    - containerPort: http\n",
        "pod.yaml (document 1): pod: spec.containers[0].ports[0].containerPort: Invalid value: Either the JSON value is not in a supported format, or is out of bounds for an Int32.")]
    [InlineData("kind: Pod\nmetadata:\n  labels:\n    enabled: true\n",
        "pod.yaml (document 1): pod: metadata.labels.enabled: Invalid value: Cannot get the value of a token type 'True' as a string.")]
    [InlineData("metadata: {name: a}\n",
        "pod.yaml (document 1): the document has no \"kind\" field (expected e.g. kind: Pod)")]
    [InlineData("kind: ReplicationController\n",
        "pod.yaml (document 1): kind \"ReplicationController\" is not served (served kinds: {served})")]
    [InlineData("- a\n- b\n",
        "pod.yaml (document 1): expected an object with apiVersion, kind and metadata, not a list")]
    [InlineData("kind: List\nitems:\n- kind: Namespace\n  metadata: {name: a}\n- 5\n",
        "pod.yaml (document 1, item 2): expected an object with apiVersion, kind and metadata, not the value 5")]
    [InlineData("kind: Pod\nmetadata:\n  name: a\nspec\n",
        "pod.yaml (document 1): error converting YAML to JSON: yaml: line 4: while parsing a block mapping, did not find expected key")]
    [InlineData("{\"kind\": \"Pod\",\n \"metadata\": }",
        "pod.yaml (document 1): error parsing JSON: line 2: '}' is an invalid start of a value.")]
    public void Parse_BadDocument_NamesSourceDocumentAndLineOrField(string text, string expected)
    {
        var e = Assert.Throws<BadRequestException>(() => ManifestReader.Parse(text, "pod.yaml"));

        Assert.Equal(expected.Replace("{served}", Served, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void ParseDocuments_BadDocumentInTheMiddle_KeepsTheOthers()
    {
        const string text = "kind: Namespace\nmetadata: {name: a}\n---\nkind: Nope\n---\nkind: Namespace\nmetadata: {name: c}\n";

        var documents = ManifestReader.ParseDocuments(text, "ns.yaml");

        Assert.Equal(
            ["ns.yaml (document 1): a", $"ns.yaml (document 2): kind \"Nope\" is not served (served kinds: {Served})", "ns.yaml (document 3): c"],
            documents.Select(d => $"{d.Location}: {d.Resource?.Metadata.Name ?? d.Error!.Message[(d.Location.Length + 2)..]}"));
    }

    [Fact]
    public void ReadPaths_Directory_ReadsManifestsByNameAndNotRecursively()
    {
        File.WriteAllText(Path.Combine(_dir, "b.yaml"), "kind: Namespace\nmetadata: {name: b}\n");
        File.WriteAllText(Path.Combine(_dir, "a.json"), """{"kind":"Namespace","metadata":{"name":"a"}}""");
        File.WriteAllText(Path.Combine(_dir, "c.yml"), "kind: Namespace\nmetadata: {name: c}\n");
        File.WriteAllText(Path.Combine(_dir, "notes.txt"), "not a manifest");
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        File.WriteAllText(Path.Combine(_dir, "sub", "d.yaml"), "kind: Namespace\nmetadata: {name: d}\n");

        var objects = ManifestReader.ReadPaths([_dir], TextReader.Null);

        Assert.Equal(["a", "b", "c"], objects.Select(o => o.Metadata.Name));
    }

    [Fact]
    public void ReadDocuments_FileAndStdin_NameTheirSources()
    {
        var file = Path.Combine(_dir, "ns.yaml");
        File.WriteAllText(file, "kind: Namespace\nmetadata: {name: a}\n");
        using var stdin = new StringReader("kind: Namespace\nmetadata: {name: b}\n");

        var documents = ManifestReader.ReadDocuments([file, "-"], stdin);

        Assert.Equal([$"{file} (document 1)", "STDIN (document 1)"], documents.Select(d => d.Location));
    }

    [Theory]
    [InlineData("missing.yaml", "the path \"{dir}/missing.yaml\" does not exist")]
    [InlineData("empty", "the directory \"{dir}/empty\" has no manifests (*.yaml, *.yml or *.json)")]
    public void ReadPaths_BadPath_FailsBeforeReadingAnything(string name, string expected)
    {
        Directory.CreateDirectory(Path.Combine(_dir, "empty"));

        var e = Assert.Throws<BadRequestException>(() => ManifestReader.ReadPaths([Path.Combine(_dir, name)], TextReader.Null));

        Assert.Equal(expected.Replace("{dir}", _dir, StringComparison.Ordinal), e.Message);
    }

    [Fact]
    public void Parse_KubernetesPodManifest_ReadsEverySupportedField()
    {
        const string text = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: probe
              namespace: team-a
              annotations:
                note: "a: b"
            spec:
              restartPolicy: Always
              nodeSelector:
                disk: ssd
              tolerations:
              - key: dedicated
                operator: Equal
                value: web
                effect: NoSchedule
              containers:
              - name: app
                image: busybox
                command: ["sh", "-c"]
                args:
                - |
                  echo start
                  sleep 3600
                env:
                - name: POD_IP
                  valueFrom:
                    fieldRef:
                      fieldPath: status.podIP
                livenessProbe:
                  httpGet:
                    path: /healthz
                    port: 8080
                readinessProbe:
                  tcpSocket:
                    port: http
            """;

        var pod = Assert.IsType<Pod>(Assert.Single(ManifestReader.Parse(text, "probe.yaml")));

        Assert.Equal(
            """{"apiVersion":"v1","kind":"Pod","metadata":{"name":"probe","namespace":"team-a","annotations":{"note":"a: b"}},"spec":{"containers":[{"name":"app","image":"busybox","command":["sh","-c"],"args":["echo start\nsleep 3600\n"],"env":[{"name":"POD_IP","valueFrom":{"fieldRef":{"fieldPath":"status.podIP"}}}],"livenessProbe":{"httpGet":{"path":"/healthz","port":8080}},"readinessProbe":{"tcpSocket":{"port":"http"}}}],"restartPolicy":"Always","nodeSelector":{"disk":"ssd"},"tolerations":[{"key":"dedicated","operator":"Equal","value":"web","effect":"NoSchedule"}]}}""",
            GranaryJson.SerializeResource(pod));
    }
}
