using System.Globalization;
using Microsoft.AspNetCore.Http.Metadata;
using ServerlessCreds.Common;

namespace ServerlessCreds.Host.Http;

/// <summary>
/// Typed query parameters (<c>pageSize</c>, <c>from</c>, <c>to</c>): the generated request delegates answer a value that does
/// not parse with a bare 400, so they are checked first and refused as validation errors that name the parameter.
/// </summary>
static class QueryValues
{
    public static IApplicationBuilder UseQueryValidation(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            foreach (var parameter in context.GetEndpoint()?.Metadata.GetOrderedMetadata<IParameterBindingMetadata>() ?? [])
            {
                var values = context.Request.Query[parameter.Name];
                var type = Nullable.GetUnderlyingType(parameter.ParameterInfo.ParameterType) ?? parameter.ParameterInfo.ParameterType;
                if ((type == typeof(int) || type == typeof(DateTimeOffset)) && (values.Count > 1 || !IsReadable(type, values.ToString())))
                {
                    throw DomainException.Invalid(parameter.Name, type == typeof(int) ? "Must be one whole number." : "Must be one ISO 8601 time, e.g. 2025-01-31T00:00:00Z.");
                }
            }

            return next(context);
        });

    // The same parsing as the generated request delegates; an empty value reads as absent.
    static bool IsReadable(Type type, string value) =>
        value.Length == 0
        || (type == typeof(int)
            ? int.TryParse(value, CultureInfo.InvariantCulture, out _)
            : DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out _));
}
