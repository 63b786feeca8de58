using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Granary.Client.Manifests;
using Granary.Model;
using Granary.Serialization;

namespace Granary.Tests.Unit.Manifests;

public class ManifestWriterTests
{
    [Theory]
    [InlineData("web", "web")]
    [InlineData("nginx:1.25", "nginx:1.25")]
    [InlineData("app.kubernetes.io/name", "app.kubernetes.io/name")]
    [InlineData("128Mi", "128Mi")]
    [InlineData("1.2.3", "1.2.3")]
    [InlineData("it's", "it's")]
    [InlineData("a-b", "a-b")]
    [InlineData("-c", "-c")]
    [InlineData("", "\"\"")]
    [InlineData("true", "\"true\"")]
    [InlineData("False", "\"False\"")]
    [InlineData("yes", "\"yes\"")]
    [InlineData("off", "\"off\"")]
    [InlineData("null", "\"null\"")]
    [InlineData("~", "\"~\"")]
    [InlineData("123", "\"123\"")]
    [InlineData("1", "\"1\"")]
    [InlineData("0.5", "\"0.5\"")]
    [InlineData("1e3", "\"1e3\"")]
    [InlineData("0x1F", "\"0x1F\"")]
    [InlineData("1_000", "\"1_000\"")]
    [InlineData("12:30", "\"12:30\"")]
    [InlineData(".inf", "\".inf\"")]
    [InlineData("2024-01-02T03:04:05Z", "\"2024-01-02T03:04:05Z\"")]
    [InlineData("a: b", "'a: b'")]
    [InlineData("ends:", "'ends:'")]
    [InlineData("- x", "'- x'")]
    [InlineData("-", "'-'")]
    [InlineData("#comment", "'#comment'")]
    [InlineData("x #y", "'x #y'")]
    [InlineData("*alias", "'*alias'")]
    [InlineData("{a}", "'{a}'")]
    [InlineData("'q'", "'''q'''")]
    [InlineData("\"q\"", "'\"q\"'")]
    [InlineData(" lead", "' lead'")]
    [InlineData("trail ", "'trail '")]
    [InlineData("---", "'---'")]
    [InlineData("a\tb", "\"a\\tb\"")]
    [InlineData("bell\u0007", "\"bell\\u0007\"")]
    public void Scalar_String_IsQuotedOnlyWhenNeeded(string text, string expected)
    {
        Assert.Equal(expected, ManifestWriter.Scalar(text));
    }

    [Fact]
    public void ToYaml_Pod_WritesKubernetesStyleYaml()
    {
        var pod = new Pod
        {
            Metadata = new ObjectMeta
            {
                Name = "web",
                Namespace = "default",
                CreationTimestamp = new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.Zero),
                Labels = ImmutableSortedDictionary.CreateRange(new Dictionary<string, string> { ["app"] = "web", ["enabled"] = "true" }),
            },
            Spec = new PodSpec
            {
                Containers =
                [
                    new Container
                    {
                        Name = "web",
                        Image = "nginx",
                        Command = ["sh", "-c", "echo hi\nsleep 10\n"],
                        Ports = [new ContainerPort { Number = 80 }],
                        Resources = new ResourceRequirements { Limits = ImmutableSortedDictionary<string, Quantity>.Empty.Add("cpu", new Quantity("1")) },
                    },
                ],
                Tolerations = [],
            },
        };

        var yaml = ManifestWriter.ToYaml(pod);

        Assert.Equal(
            """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: default
              creationTimestamp: "2024-01-02T03:04:05Z"
              labels:
                app: web
                enabled: "true"
            spec:
              containers:
              - name: web
                image: nginx
                command:
                - sh
                - -c
                - |
                  echo hi
                  sleep 10
                ports:
                - containerPort: 80
                resources:
                  limits:
                    cpu: "1"
              tolerations: []

            """.ReplaceLineEndings("\n"),
            yaml);
    }

    [Theory]
    [InlineData("""{"a":[[1,2],[]],"b":[{}],"c":{}}""", "a:\n- - 1\n  - 2\n- []\nb:\n- {}\nc: {}\n")]
    [InlineData("""{"s":"no newline\nat end"}""", "s: |-\n  no newline\n  at end\n")]
    [InlineData("""{"s":"blank\n\nline\n"}""", "s: |\n  blank\n\n  line\n")]
    [InlineData("""{"s":"two at end\n\n"}""", "s: \"two at end\\n\\n\"\n")]
    [InlineData("""{"s":" leading space\nx"}""", "s: \" leading space\\nx\"\n")]
    [InlineData("""{"l":[{"a":"x\ny"}]}""", "l:\n- a: |-\n    x\n    y\n")]
    [InlineData("""{"z":null,"t":true,"f":1.50,"true":"k","n":"y"}""", "z: null\nt: true\nf: 1.50\n\"true\": k\n\"n\": \"y\"\n")]
    [InlineData("""[1,"x"]""", "- 1\n- x\n")]
    [InlineData("""{}""", "{}\n")]
    public void ToYaml_Json_WritesBlockStyle(string json, string expected)
    {
        Assert.Equal(expected, ManifestWriter.ToYaml(JsonNode.Parse(json)));
    }

    [Theory]
    [InlineData("""{"a":[[1,2],[]],"b":[{}],"c":{},"s":"x\ny","q":["true","","a: b","'",null]}""")]
    [InlineData("""{"deep":{"list":[{"name":"a","items":[{"k":"v"}]},{"name":"b"}]}}""")]
    public void ToYaml_ThenRead_GivesTheSameJson(string json)
    {
        var yaml = ManifestWriter.ToYaml(JsonNode.Parse(json));
        var stream = new YamlDotNet.RepresentationModel.YamlStream();
        stream.Load(new StringReader(yaml));

        Assert.Equal(json, YamlToJson.Convert(stream.Documents[0].RootNode)!.ToJsonString(GranaryJson.Options));
    }

    [Fact]
    public void RoundTrip_ManifestToObjectToYamlToObject_KeepsEveryField()
    {
        const string manifest = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: web
              namespace: team-a
              labels:
                app: web
                canary: "false"
                version: "2"
              annotations:
                note: "a: b # not a comment"
                empty: ""
            spec:
              restartPolicy: OnFailure
              terminationGracePeriodSeconds: 5
              nodeSelector:
                disk: ssd
              tolerations:
              - key: dedicated
                operator: Exists
                effect: NoSchedule
                tolerationSeconds: 300
              containers:
              - name: web
                image: nginx:1.25
                command: [sh, -c]
                args:
                - |
                  echo "started"
                  exec nginx -g 'daemon off;'
                env:
                - name: MODE
                  value: "yes"
                - name: POD_IP
                  valueFrom:
                    fieldRef: {fieldPath: status.podIP}
                ports:
                - name: http
                  containerPort: 80
                  protocol: TCP
                resources:
                  requests: {cpu: 100m, memory: 64Mi}
                  limits: {cpu: 1, memory: 1e9}
                livenessProbe:
                  httpGet: {path: /healthz, port: http}
                  periodSeconds: 10
                readinessProbe:
                  exec:
                    command: [cat, /tmp/ready]
            status:
              phase: Running
              startTime: 2024-01-02T03:04:05Z
              containerStatuses:
              - name: web
                ready: true
                restartCount: 2
                state:
                  running: {startedAt: "2024-01-02T03:04:06Z"}
            """;
        var first = ManifestReader.Parse(manifest, "web.yaml").Single();

        var second = ManifestReader.Parse(ManifestWriter.ToYaml(first), "written.yaml").Single();

        Assert.Equal(GranaryJson.SerializeResource(first), GranaryJson.SerializeResource(second));
        Assert.Contains("\"limits\":{\"cpu\":\"1\",\"memory\":\"1e9\"}", GranaryJson.SerializeResource(second), StringComparison.Ordinal);
    }
}
