using ServerlessCreds.Testing;

namespace ServerlessCreds.Host.Tests.Deployment;

/// <summary>
/// A .bicep file read with just enough of Bicep's lexical rules (comments, <c>'...'</c> strings with <c>${}</c> holes,
/// <c>'''</c> strings, brackets) to check its shape without the Bicep compiler, which is not available here.
/// </summary>
sealed record BicepFile(string Path, string Text)
{
    public static readonly string InfraFolder = System.IO.Path.Combine(Repository.Root, "infra");

    public string Name => System.IO.Path.GetRelativePath(InfraFolder, Path).Replace('\\', '/');

    public string[] Lines { get; } = Text.Split('\n');

    public static BicepFile Read(string relativePath) =>
        Of(System.IO.Path.Combine(InfraFolder, relativePath));

    public static IReadOnlyList<BicepFile> All() =>
        [.. Directory.GetFiles(InfraFolder, "*.bicep", SearchOption.AllDirectories).Order().Select(Of)];

    static BicepFile Of(string path) => new(path, File.ReadAllText(path).ReplaceLineEndings("\n"));

    /// <summary>The first bracket, string or comment that is not closed properly, or null when there is none.</summary>
    public static string? FindUnbalancedToken(string text)
    {
        // Expected closers; '$' stands for the '}' that ends a ${} hole and resumes the string around it.
        var open = new Stack<(char Closer, int At)>();
        var inString = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (inString)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '\'')
                {
                    inString = false;
                }
                else if (c == '$' && At(text, i + 1, "{"))
                {
                    open.Push(('$', i));
                    inString = false;
                    i++;
                }
                else if (c == '\n')
                {
                    return $"string not closed on line {LineOf(text, i)}";
                }
            }
            else if (At(text, i, "'''"))
            {
                var end = text.IndexOf("'''", i + 3, StringComparison.Ordinal);
                if (end < 0)
                {
                    return $"multi-line string opened on line {LineOf(text, i)} is not closed";
                }

                i = end + 2;
            }
            else if (At(text, i, "//"))
            {
                i = text.IndexOf('\n', i) is var end and >= 0 ? end : text.Length;
            }
            else if (At(text, i, "/*"))
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    return $"comment opened on line {LineOf(text, i)} is not closed";
                }

                i = end + 1;
            }
            else if (c == '\'')
            {
                inString = true;
            }
            else if ("([{".Contains(c, StringComparison.Ordinal))
            {
                open.Push((")]}"["([{".IndexOf(c, StringComparison.Ordinal)], i));
            }
            else if (")]}".Contains(c, StringComparison.Ordinal))
            {
                if (!open.TryPop(out var expected) || (expected.Closer != c && !(expected.Closer == '$' && c == '}')))
                {
                    return $"unexpected '{c}' on line {LineOf(text, i)}";
                }

                inString = expected.Closer == '$';
            }
        }

        return inString ? "string not closed at end of file"
            : open.TryPeek(out var unclosed) ? $"bracket opened on line {LineOf(text, unclosed.At)} is not closed"
            : null;
    }

    /// <summary>
    /// The lines directly inside a <c>{ }</c> block: find the first line containing <paramref name="path"/>[0], from there
    /// the first containing [1], and so on; the last one opens the block.
    /// </summary>
    public IReadOnlyList<string> BlockLines(params string[] path)
    {
        var start = 0;
        foreach (var marker in path)
        {
            start = Array.FindIndex(Lines, start, line => line.Contains(marker, StringComparison.Ordinal));
            Assert.True(start >= 0, $"{Name} has no line containing {marker}");
        }

        var lines = new List<string>();
        var depth = Depth(Lines[start]);
        for (var i = start + 1; depth > 0 && i < Lines.Length; i++)
        {
            var before = depth;
            depth += Depth(Lines[i]);
            if (before == 1 && depth > 0)
            {
                lines.Add(Lines[i].Trim());
            }
        }

        return lines;
    }

    // Braces inside ${} holes come in pairs, so a plain count per line is enough here.
    static int Depth(string line) => line.Count("{[(".Contains) - line.Count("}])".Contains);

    static bool At(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;

    static int LineOf(string text, int index) => text.AsSpan(0, index).Count('\n') + 1;
}
