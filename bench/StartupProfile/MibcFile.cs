using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;
using System.Security.Cryptography;
using System.Text;

namespace StartupProfile;

/// <summary>
/// Writes methods as a .mibc profile, the format dotnet-pgo writes and crossgen2 reads (dotnet/runtime,
/// <c>MIbcProfileParser</c>): an IL-only assembly whose global <c>AssemblyDictionary</c> method loads, per group of
/// assemblies, the name of the group and a token for a method that lists the group's methods, each with <c>ldtoken</c>.
/// Crossgen2 precompiles the listed instantiations it would not find on its own, such as the state machines of async
/// methods over another assembly's types.
/// </summary>
static class MibcFile
{
    const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    public static void Write(string path, IReadOnlyList<MethodBase> methods)
    {
        var metadata = new MetadataBuilder();
        var signatures = new Signatures(metadata);
        var groups = new SortedDictionary<string, List<EntityHandle>>(StringComparer.Ordinal);
        var names = new StringBuilder();
        foreach (var method in methods.OrderBy(Name, StringComparer.Ordinal))
        {
            if (signatures.Reference(method) is not var (token, assemblies))
            {
                continue;
            }

            // A group names every assembly its methods involve; crossgen2 skips groups that reach outside its inputs.
            var group = string.Concat(assemblies.Order(StringComparer.Ordinal).Select(a => a + ";"));
            if (!groups.TryGetValue(group, out var tokens))
            {
                groups[group] = tokens = [];
            }

            tokens.Add(token);
            names.AppendLine(Name(method));
        }

        var il = new BlobBuilder();
        var bodies = new MethodBodyStreamEncoder(il);
        var noArguments = new BlobBuilder();
        new BlobEncoder(noArguments).MethodSignature().Parameters(0, returnType => returnType.Void(), _ => { });
        var staticVoid = metadata.GetOrAddBlob(noArguments);
        int Body(Action<InstructionEncoder> emit)
        {
            var code = new InstructionEncoder(new BlobBuilder());
            emit(code);
            code.OpCode(ILOpCode.Ret);
            return bodies.AddMethodBody(code, maxStack: 8);
        }

        // Method 1 is the dictionary; the groups follow as methods 2, 3, ...
        metadata.AddMethodDefinition(MethodAttributes.Public | MethodAttributes.Static, MethodImplAttributes.IL, metadata.GetOrAddString("AssemblyDictionary"), staticVoid, Body(code =>
        {
            var groupMethod = 2;
            foreach (var group in groups.Keys)
            {
                code.LoadString(metadata.GetOrAddUserString(group));
                code.OpCode(ILOpCode.Ldtoken);
                code.Token(MetadataTokens.MethodDefinitionHandle(groupMethod++));
                code.OpCode(ILOpCode.Pop);
            }
        }), default);
        var index = 0;
        foreach (var (group, tokens) in groups)
        {
            metadata.AddMethodDefinition(MethodAttributes.Public | MethodAttributes.Static, MethodImplAttributes.IL, metadata.GetOrAddString($"Assemblies_{group}_{++index}"), staticVoid, Body(code =>
            {
                foreach (var token in tokens)
                {
                    code.OpCode(ILOpCode.Ldtoken);
                    code.Token(token);
                    code.OpCode(ILOpCode.Pop);
                }
            }), default);
        }

        // The same methods give the same file: the module id is a hash of their names.
        var mvid = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(names.ToString()))[..16]);
        var name = Path.GetFileNameWithoutExtension(path);
        metadata.AddModule(0, metadata.GetOrAddString(name + ".dll"), metadata.GetOrAddGuid(mvid), default, default);
        metadata.AddAssembly(metadata.GetOrAddString(name), new Version(1, 0), default, default, 0, AssemblyHashAlgorithm.None);
        metadata.AddTypeDefinition(default, default, metadata.GetOrAddString("<Module>"), default, MetadataTokens.FieldDefinitionHandle(1), MetadataTokens.MethodDefinitionHandle(1));
        var image = new BlobBuilder();
        new ManagedPEBuilder(new PEHeaderBuilder(imageCharacteristics: Characteristics.Dll | Characteristics.ExecutableImage), new MetadataRootBuilder(metadata), il,
            deterministicIdProvider: content => new BlobContentId(mvid, 0)).Serialize(image);
        using var file = File.Create(path);
        image.WriteContentTo(file);
    }

    static string Name(MethodBase method) => $"{method.DeclaringType}::{method}";

    /// <summary>Member references for reflected methods, in the mibc's own metadata.</summary>
    sealed class Signatures(MetadataBuilder metadata)
    {
        // Crossgen2 reads System.__Canon, the shared form of reference-type instantiations, from this assembly name.
        const string CanonAssembly = "System.Private.Canon";
        readonly Dictionary<string, AssemblyReferenceHandle> assemblies = [];
        readonly Dictionary<Type, TypeReferenceHandle> types = [];
        HashSet<string> involved = [];

        public (EntityHandle Token, IReadOnlySet<string> Assemblies)? Reference(MethodBase method)
        {
            involved = [];
            try
            {
                return (MethodReference(method), involved.Where(a => a != CanonAssembly).ToHashSet());
            }
            catch (NotSupportedException)
            {
                return null; // A signature with a function pointer or a nested byref: rare, and left to the JIT.
            }
        }

        EntityHandle MethodReference(MethodBase method)
        {
            var owner = method.DeclaringType!;
            // The reference carries the signature as declared (generic parameters, not their arguments).
            var declaringDefinition = owner.IsGenericType ? owner.GetGenericTypeDefinition() : owner;
            var declared = declaringDefinition.GetMembers(Declared).OfType<MethodBase>().Single(m => m.MetadataToken == method.MetadataToken);
            var signature = new BlobBuilder();
            var parameters = declared.GetParameters();
            new BlobEncoder(signature)
                .MethodSignature(SignatureCallingConvention.Default, declared.IsGenericMethodDefinition ? declared.GetGenericArguments().Length : 0, !declared.IsStatic)
                .Parameters(parameters.Length, out var returnType, out var parameterTypes);
            if (declared is MethodInfo { ReturnParameter: var returned, ReturnType: var returnedType })
            {
                Modifiers(returned, returnType.CustomModifiers());
                if (returnedType == typeof(void))
                {
                    returnType.Void();
                }
                else
                {
                    Encode(returnType.Type(returnedType.IsByRef), returnedType.IsByRef ? returnedType.GetElementType()! : returnedType);
                }
            }
            else
            {
                returnType.Void();
            }

            foreach (var parameter in parameters)
            {
                var encoder = parameterTypes.AddParameter();
                Modifiers(parameter, encoder.CustomModifiers());
                var type = parameter.ParameterType;
                Encode(encoder.Type(type.IsByRef), type.IsByRef ? type.GetElementType()! : type);
            }

            var parent = owner.IsGenericType ? (EntityHandle)TypeSpecification(owner) : Type(owner);
            EntityHandle reference = metadata.AddMemberReference(parent, metadata.GetOrAddString(method.Name), metadata.GetOrAddBlob(signature));
            if (!method.IsGenericMethod)
            {
                return reference;
            }

            var instantiation = new BlobBuilder();
            var arguments = method.GetGenericArguments();
            var encoderForArguments = new BlobEncoder(instantiation).MethodSpecificationSignature(arguments.Length);
            foreach (var argument in arguments)
            {
                Encode(encoderForArguments.AddArgument(), argument);
            }

            return metadata.AddMethodSpecification(reference, metadata.GetOrAddBlob(instantiation));
        }

        // Required modifiers are part of a signature (modreq(InAttribute) on an 'in' parameter, for one).
        void Modifiers(ParameterInfo parameter, CustomModifiersEncoder encoder)
        {
            foreach (var modifier in parameter.GetRequiredCustomModifiers())
            {
                encoder.AddModifier(Type(modifier), isOptional: false);
            }
        }

        TypeSpecificationHandle TypeSpecification(Type type)
        {
            var blob = new BlobBuilder();
            Encode(new SignatureTypeEncoder(blob), type);
            return metadata.AddTypeSpecification(metadata.GetOrAddBlob(blob));
        }

        AssemblyReferenceHandle Assembly(string name)
        {
            involved.Add(name);
            if (!assemblies.TryGetValue(name, out var handle))
            {
                // Any version: the profile is matched to the assemblies being compiled by name.
                assemblies[name] = handle = metadata.AddAssemblyReference(metadata.GetOrAddString(name), new Version(0, 0, 65535, 65535), default, default, 0, default);
            }

            return handle;
        }

        TypeReferenceHandle Type(Type type)
        {
            var canon = type.FullName == "System.__Canon";
            var scope = type.IsNested ? (EntityHandle)Type(type.DeclaringType!) : Assembly(canon ? CanonAssembly : type.Assembly.GetName().Name!);
            if (!types.TryGetValue(type, out var handle))
            {
                types[type] = handle = metadata.AddTypeReference(scope, type.IsNested ? default : metadata.GetOrAddString(type.Namespace ?? ""), metadata.GetOrAddString(type.Name));
            }

            return handle;
        }

        void Encode(SignatureTypeEncoder encoder, Type type)
        {
            if (type.IsGenericParameter)
            {
                if (type.DeclaringMethod is null)
                {
                    encoder.GenericTypeParameter(type.GenericParameterPosition);
                }
                else
                {
                    encoder.GenericMethodTypeParameter(type.GenericParameterPosition);
                }
            }
            else if (type.IsByRef || type.IsFunctionPointer)
            {
                throw new NotSupportedException(type.ToString());
            }
            else if (type.IsPointer)
            {
                Encode(encoder.Pointer(), type.GetElementType()!);
            }
            else if (type.IsSZArray)
            {
                Encode(encoder.SZArray(), type.GetElementType()!);
            }
            else if (type.IsArray)
            {
                encoder.Array(out var element, out var shape);
                Encode(element, type.GetElementType()!);
                shape.Shape(type.GetArrayRank(), [], []);
            }
            else if (type.IsGenericType)
            {
                var arguments = type.GetGenericArguments();
                var instantiation = encoder.GenericInstantiation(Type(type.GetGenericTypeDefinition()), arguments.Length, type.IsValueType);
                foreach (var argument in arguments)
                {
                    Encode(instantiation.AddArgument(), argument);
                }
            }
            else if (Primitives.TryGetValue(type, out var primitive))
            {
                encoder.PrimitiveType(primitive);
            }
            else
            {
                encoder.Type(Type(type), type.IsValueType);
            }
        }

        // Built-in types have their own element types; an enum is not one of them, though its type code says so.
        static readonly Dictionary<Type, PrimitiveTypeCode> Primitives = new()
        {
            [typeof(bool)] = PrimitiveTypeCode.Boolean, [typeof(char)] = PrimitiveTypeCode.Char,
            [typeof(sbyte)] = PrimitiveTypeCode.SByte, [typeof(byte)] = PrimitiveTypeCode.Byte,
            [typeof(short)] = PrimitiveTypeCode.Int16, [typeof(ushort)] = PrimitiveTypeCode.UInt16,
            [typeof(int)] = PrimitiveTypeCode.Int32, [typeof(uint)] = PrimitiveTypeCode.UInt32,
            [typeof(long)] = PrimitiveTypeCode.Int64, [typeof(ulong)] = PrimitiveTypeCode.UInt64,
            [typeof(float)] = PrimitiveTypeCode.Single, [typeof(double)] = PrimitiveTypeCode.Double,
            [typeof(nint)] = PrimitiveTypeCode.IntPtr, [typeof(nuint)] = PrimitiveTypeCode.UIntPtr,
            [typeof(string)] = PrimitiveTypeCode.String, [typeof(object)] = PrimitiveTypeCode.Object,
        };
    }
}
