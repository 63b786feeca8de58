using Granary.Cli.Output;
using Granary.Model;
using static Granary.Tests.Unit.Cli.CliObjects;

namespace Granary.Tests.Unit.Cli;

public class ObjectPrinterTests
{
    private static Namespace Team => new() { Metadata = new ObjectMeta { Name = "team-a", ResourceVersion = "7" }, Status = new NamespaceStatus { Phase = "Active" } };

    [Fact]
    public void Name_IsSingularKindSlashName()
    {
        Assert.Equal(["pod/web", "node/node-1", "namespace/team-a"], [ObjectPrinter.Name(Pod("web")), ObjectPrinter.Name(Node("node-1")), ObjectPrinter.Name(Team)]);
    }

    [Fact]
    public void Json_OneObject_IsIndented()
    {
        Assert.Equal(
            """
            {
              "apiVersion": "v1",
              "kind": "Namespace",
              "metadata": {
                "name": "team-a",
                "resourceVersion": "7"
              },
              "status": {
                "phase": "Active"
              }
            }

            """.ReplaceLineEndings("\n"),
            ObjectPrinter.Json(Team));
    }

    [Fact]
    public void JsonList_SeveralObjects_AreAKubectlList()
    {
        Assert.Equal(
            """
            {
              "apiVersion": "v1",
              "items": [
                {
                  "apiVersion": "v1",
                  "kind": "Namespace",
                  "metadata": {
                    "name": "team-a",
                    "resourceVersion": "7"
                  },
                  "status": {
                    "phase": "Active"
                  }
                }
              ],
              "kind": "List",
              "metadata": {
                "resourceVersion": ""
              }
            }

            """.ReplaceLineEndings("\n"),
            ObjectPrinter.JsonList([Team]));
    }

    [Fact]
    public void Yaml_OneObject_QuotesTheResourceVersion()
    {
        Assert.Equal(
            """
            apiVersion: v1
            kind: Namespace
            metadata:
              name: team-a
              resourceVersion: "7"
            status:
              phase: Active

            """.ReplaceLineEndings("\n"),
            ObjectPrinter.Yaml(Team));
    }

    [Fact]
    public void YamlList_EmptyAndFull_AreKubectlLists()
    {
        Assert.Equal(
            [
                "apiVersion: v1\nitems: []\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
                "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: Namespace\n  metadata:\n    name: team-a\n    resourceVersion: \"7\"\n  status:\n    phase: Active\nkind: List\nmetadata:\n  resourceVersion: \"\"\n",
            ],
            [ObjectPrinter.YamlList([]), ObjectPrinter.YamlList([Team])]);
    }
}
