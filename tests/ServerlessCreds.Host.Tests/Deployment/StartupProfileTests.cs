using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>
/// The startup profile that composite ReadyToRun publishing reads (made by bench/profile.sh) names the methods a cold
/// start runs by their types. After those types are renamed or removed it still builds, but precompiles less.
/// </summary>
public sealed class StartupProfileTests
{
    [Fact]
    public void The_startup_profile_names_types_the_handler_still_has()
    {
        using var image = new PEReader(File.OpenRead(Path.Combine(Repository.Root, "src", "ServerlessCreds.Host", "StartupProfile.mibc")));
        var metadata = image.GetMetadataReader();
        var handler = typeof(Program).Assembly;
        var assemblies = handler.GetReferencedAssemblies().Where(a => a.Name!.StartsWith("ServerlessCreds.", StringComparison.Ordinal)).Select(Assembly.Load)
            .Append(handler).ToDictionary(a => a.GetName().Name!);

        string? AssemblyOf(TypeReference type) => type.ResolutionScope.Kind switch
        {
            HandleKind.AssemblyReference => metadata.GetString(metadata.GetAssemblyReference((AssemblyReferenceHandle)type.ResolutionScope).Name),
            HandleKind.TypeReference => AssemblyOf(metadata.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)),
            _ => null,
        };
        string NameOf(TypeReference type) => type.ResolutionScope.Kind == HandleKind.TypeReference
            ? NameOf(metadata.GetTypeReference((TypeReferenceHandle)type.ResolutionScope)) + "+" + metadata.GetString(type.Name)
            : (type.Namespace.IsNil || metadata.GetString(type.Namespace).Length == 0 ? "" : metadata.GetString(type.Namespace) + ".") + metadata.GetString(type.Name);

        var ours = metadata.TypeReferences.Select(metadata.GetTypeReference)
            .Select(t => (Assembly: AssemblyOf(t), Name: NameOf(t)))
            .Where(t => t.Assembly is not null && assemblies.ContainsKey(t.Assembly))
            .ToList();

        Assert.True(ours.Count >= 50, $"The profile names only {ours.Count} of the handler's types; regenerate it with ./bench/profile.sh.");
        var gone = ours.Where(t => assemblies[t.Assembly!].GetType(t.Name) is null).Select(t => t.Name).ToList();
        Assert.True(gone.Count * 10 <= ours.Count,
            $"{gone.Count} of the {ours.Count} handler types the startup profile names no longer exist; regenerate it with ./bench/profile.sh: {string.Join(", ", gone.Take(10))}");
    }
}
