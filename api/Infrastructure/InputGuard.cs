using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Billing.GrainInterfaces.Common;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Billing.Api.Infrastructure;

/// <summary>
/// The first line of issue 15's edge validation, for every admin REST endpoint and every Razor form: no text that
/// reaches a handler may carry a character PostgreSQL refuses (NUL) or no person types (other control characters,
/// lone surrogates) — in the JSON body (walked recursively, every string and dictionary key), the query string and the
/// route. Tab, CR and LF pass here (notes and addresses are multi-line); lengths, single-line fields and number ranges
/// are checked by each resource's rules (<see cref="InputRules"/>), next to the rest of their validation.
/// A refusal is a 400 ProblemDetails naming the field by its camelCase path (<c>contatos[0].nome</c>).
/// </summary>
public static class InputGuard
{
    /// <summary>Longest query-string value any list endpoint takes (search terms, id lists).</summary>
    public const int MaxQueryValue = 2000;

    private const int MaxDepth = 12;

    /// <summary>Collects the problems of the request's query, route values and the handler's bound arguments.</summary>
    public static FieldErrors Check(HttpContext http, IEnumerable<object?> arguments)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(arguments);
        var errors = new FieldErrors();
        foreach (var (key, values) in http.Request.Query)
        {
            if (InputRules.Text(key, 200) is { } k) errors.Add(Camel(key), k);
            foreach (var v in values)
                if (InputRules.Text(v, MaxQueryValue) is { } m) errors.Add(Camel(key), m);
        }
        foreach (var (key, value) in http.Request.RouteValues)
            if (value is string s && InputRules.Text(s, MaxQueryValue) is { } m) errors.Add(key, m);
        foreach (var a in arguments)
            if (a is not (null or HttpContext or CancellationToken) && a.GetType() != typeof(string)) Walk(a, "", errors, 0);
        return errors;
    }

    /// <summary>Endpoint filter form, for route groups.</summary>
    public static async ValueTask<object?> Filter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var errors = Check(context.HttpContext, context.Arguments);
        return errors.Any ? errors.ToProblem() : await next(context);
    }

    private static readonly ConcurrentDictionary<Type, PropertyInfo[]> Properties = new();

    private static void Walk(object value, string path, FieldErrors errors, int depth)
    {
        if (depth > MaxDepth) return;
        switch (value)
        {
            case string s:
                if (InputRules.Text(s, int.MaxValue, multiline: true) is { } m) errors.Add(path.Length == 0 ? "body" : path, m);
                return;
            case IDictionary dict:
                foreach (DictionaryEntry e in dict)
                {
                    var key = Convert.ToString(e.Key, CultureInfo.InvariantCulture) ?? "";
                    var p = Join(path, key);
                    if (InputRules.Text(key, 200) is { } km) errors.Add(p, km);
                    if (e.Value is not null) Walk(e.Value, p, errors, depth + 1);
                }
                return;
            case IEnumerable list:
                var i = 0;
                foreach (var item in list)
                {
                    if (item is not null) Walk(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]"), errors, depth + 1);
                    i++;
                }
                return;
        }
        var type = value.GetType();
        if (type.IsPrimitive || type.IsEnum || value is decimal or DateTime or DateTimeOffset or DateOnly or TimeOnly or TimeSpan or Guid) return;
        // only our own request records are walked (not framework objects such as IFormFile, nor services)
        if (type.Namespace is not { } ns || !ns.StartsWith("Billing.", StringComparison.Ordinal) || type.GetMethod("<Clone>$") is null) return;
        foreach (var prop in Properties.GetOrAdd(type, t => t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                     .Where(p => p.CanRead && p.GetIndexParameters().Length == 0).ToArray()))
        {
            var v = prop.GetValue(value);
            if (v is not null) Walk(v, Join(path, JsonNamingPolicy.CamelCase.ConvertName(prop.Name)), errors, depth + 1);
        }
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;

    private static string Camel(string name) => name.Length == 0 ? name : JsonNamingPolicy.CamelCase.ConvertName(name);

    /// <summary>
    /// The field name a Razor form posts (<c>Input.NomeFantasia</c>, <c>Itens[2].Valor</c>) as the API would name it
    /// (<c>nomeFantasia</c>): the last segment, camelCase.
    /// </summary>
    public static string FormField(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var dot = key.LastIndexOf('.');
        return Camel(dot >= 0 ? key[(dot + 1)..] : key);
    }
}

/// <summary>
/// The same guard for every Razor page (web admin and customer portal): a query or form value with forbidden characters
/// (or a form value longer than any field takes) answers 400 ProblemDetails before the handler runs; files are not text.
/// </summary>
public sealed class InputGuardPageFilter : IAsyncPageFilter
{
    /// <summary>Longest form value any page takes (observações, notes).</summary>
    public const int MaxFormValue = 10_000;

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.HttpContext.Request;
        var errors = new FieldErrors();
        foreach (var (key, values) in request.Query)
            foreach (var v in values)
                if (InputRules.Text(v, InputGuard.MaxQueryValue) is { } m) errors.Add(InputGuard.FormField(key), m);
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(context.HttpContext.RequestAborted);
            foreach (var (key, values) in form)
                foreach (var v in values)
                    if (InputRules.Text(v, MaxFormValue, multiline: true) is { } m) errors.Add(InputGuard.FormField(key), m);
        }
        if (errors.Any)
        {
            context.Result = new JsonResult(new ValidationProblemDetails(errors.ToDictionary())
            {
                Status = 400,
                Title = "Dados inválidos",
                Detail = "Um ou mais campos têm caracteres de controle ou inválidos, ou são longos demais. Nada foi alterado.",
                Instance = request.Path,
            })
            { StatusCode = 400, ContentType = "application/problem+json; charset=utf-8" };
            return;
        }
        await next();
    }
}
