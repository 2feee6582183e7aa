using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ServerlessCreds.Bench;

/// <summary>The Markdown and JSON report, written as the phases finish (so a failed phase still leaves the earlier ones).</summary>
sealed class Report(string folder)
{
    readonly StringBuilder markdown = new();
    public JsonObject Json { get; } = [];

    public void Line(string text = "") => markdown.AppendLine(text);

    public void Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        Line("| " + string.Join(" | ", header) + " |");
        Line("|" + string.Concat(header.Select(_ => "---|")));
        foreach (var row in rows)
        {
            Line("| " + string.Join(" | ", row) + " |");
        }

        Line();
    }

    public static void TableLines(List<string> lines, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        lines.Add("| " + string.Join(" | ", header) + " |");
        lines.Add("|" + string.Concat(header.Select(_ => "---|")));
        lines.AddRange(rows.Select(row => "| " + string.Join(" | ", row) + " |"));
        lines.Add("");
    }

    public void Save()
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "report.md"), markdown.ToString());
        File.WriteAllText(Path.Combine(folder, "report.json"), Json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    public static string F(double value, int decimals = 1) => value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    public static string Ratio(double value) => value.ToString("F2", CultureInfo.InvariantCulture) + "x";

    public static JsonObject ToJson(LoadResult result) => new()
    {
        ["clients"] = result.Clients,
        ["operations"] = result.Operations,
        ["perSecond"] = Math.Round(result.PerSecond, 1),
        ["p50Ms"] = Math.Round(result.P50Ms, 2),
        ["p99Ms"] = Math.Round(result.P99Ms, 2),
        ["maxMs"] = Math.Round(result.MaxMs, 2),
        ["failures"] = result.Failures,
    };
}
