using System.Diagnostics;
using System.Text;
using Granary.Tools.ProtoSchemaGen;

// Writes the schema the silo's protobuf decoder reads (Silo/Api/Protobuf/kubernetes.protoschema) from the
// Kubernetes API's own definitions: the generated.proto of each package kubectl may send, and the Go types' json
// tags beside them, which say what the .proto cannot (the JSON name where it differs, and which embedded messages
// Go inlines into their parent's JSON).
//
//   dotnet run --project tools/ProtoSchemaGen -- <k8s.io/api checkout> <k8s.io/apimachinery checkout> <output file>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ProtoSchemaGen <k8s.io/api checkout> <k8s.io/apimachinery checkout> <output file>");
    return 2;
}
var (api, machinery, output) = (args[0], args[1], args[2]);

string[] apiPackages = ["core/v1", "apps/v1", "batch/v1", "autoscaling/v1", "autoscaling/v2", "discovery/v1", "policy/v1", "storage/v1", "networking/v1", "rbac/v1", "coordination/v1", "events/v1",
    // kubectl auth can-i and auth whoami send access reviews and SelfSubjectReviews with the typed client (protobuf).
    "authorization/v1", "authentication/v1", "authentication/v1beta1", "authentication/v1alpha1",
    // batch/v1 Jobs refer to its messages (spec.schedulingConfiguration).
    "scheduling/v1alpha3"];
string[] machineryPackages = ["pkg/apis/meta/v1", "pkg/runtime", "pkg/runtime/schema", "pkg/api/resource", "pkg/util/intstr"];
(string Root, string Dir)[] packages = [.. apiPackages.Select(p => (api, p)), .. machineryPackages.Select(p => (machinery, p))];

var messages = new List<ProtoMessage>();
foreach (var (root, dir) in packages)
{
    var directory = Path.Combine(root, dir);
    var parsed = ProtoParser.Parse(File.ReadAllText(Path.Combine(directory, "generated.proto")));
    var tags = GoJsonTags.Read(directory);
    messages.AddRange(parsed.Select(m => m with { Fields = [.. m.Fields.Select(f => tags.TryGetValue((m.Name, f.Number), out var go) ? Tagged(f, go) : f)] }));
}

var known = messages.Select(m => m.FullName).ToHashSet(StringComparer.Ordinal);
var missing = messages.SelectMany(m => m.Fields.Select(f => (m, f))).Where(x => x.f.MessageType is { } t && !known.Contains(t)).ToList();
if (missing.Count > 0)
{
    foreach (var (m, f) in missing)
        Console.Error.WriteLine($"{m.FullName}.{f.ProtoName}: type {f.MessageType} is in no package read");
    return 1;
}

var text = new StringBuilder();
text.AppendLine("# The protobuf schema of the Kubernetes API, as Granary's decoder reads it (Silo/Api/Protobuf/ProtoSchema.cs).");
text.AppendLine($"# Generated from the Kubernetes API definitions (generated.proto and the Go types' json tags), Apache-2.0:");
text.AppendLine($"#   k8s.io/api {Commit(api)}: {string.Join(' ', packages.Where(p => p.Root == api).Select(p => p.Dir))}");
text.AppendLine($"#   k8s.io/apimachinery {Commit(machinery)}: {string.Join(' ', packages.Where(p => p.Root == machinery).Select(p => p.Dir))}");
text.AppendLine("# Do not edit. Regenerate with:");
text.AppendLine("#   dotnet run --project tools/ProtoSchemaGen -- <k8s.io/api checkout> <k8s.io/apimachinery checkout> Silo/Api/Protobuf/kubernetes.protoschema");
text.AppendLine("# A message line names it; each field line is: number JSON-name label type [map value type].");
text.AppendLine("# JSON name * = inlined into the parent's JSON (a Go embedded struct), - = not in the JSON; label opt, rep, map,\n# or omit: a scalar whose zero value Go's JSON omits (a value tagged omitempty), which Go's protobuf writes anyway.");
foreach (var message in messages)
{
    text.Append("message ").AppendLine(message.FullName);
    foreach (var f in message.Fields)
        text.AppendLine($"{f.Number} {f.JsonName} {f.Label} {f.Type}{(f.ValueType is { } v ? " " + v : "")}");
}
File.WriteAllText(output, text.ToString());
Console.WriteLine($"{messages.Count} messages written to {output}");
return 0;

// A scalar Go's JSON omits when zero is labelled "omit": the decoder drops its zero value, as Go's JSON would.
static ProtoField Tagged(ProtoField field, GoField go) =>
    field with { JsonName = go.JsonName, Label = field.Label == "opt" && go.OmitsZero && field.MessageType is null ? "omit" : field.Label };

static string Commit(string checkout)
{
    try
    {
        using var git = Process.Start(new ProcessStartInfo("git", ["-C", checkout, "rev-parse", "HEAD"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var commit = git.StandardOutput.ReadToEnd().Trim();
        git.WaitForExit();
        return git.ExitCode == 0 ? $"commit {commit}" : "(not a git checkout)";
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "(git not found)";
    }
}
