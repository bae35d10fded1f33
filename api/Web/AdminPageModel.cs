using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Html;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Billing.GrainInterfaces.Common;

namespace Billing.Api.Web;

/// <summary>Base of every admin page: login required, field errors (API field name → pt-BR messages), a flash message.</summary>
[Authorize(Policy = AdminWeb.Policy)]
public abstract class AdminPageModel : PageModel
{
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A general error shown at the top of the form (conflict, not found…).</summary>
    public string? Problem { get; set; }

    [TempData]
    public string? Flash { get; set; }

    /// <summary>Keeps why a command failed (field errors next to their fields, or a general problem); true when it was Ok.</summary>
    protected bool Absorb<T>(CommandResult<T> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return Absorb(result.WithoutValue());
    }

    /// <inheritdoc cref="Absorb{T}(CommandResult{T})"/>
    protected bool Absorb(CommandResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.IsOk) return true;
        foreach (var (k, msgs) in result.Errors ?? new Dictionary<string, string[]>()) Errors[k] = msgs;
        Problem = Errors.Count == 0 ? result.Message : "Corrija os campos indicados.";
        return false;
    }

    /// <summary>The page again after a refused post: reloads its lists, keeping the errors and the problem of the post.</summary>
    protected async Task<IActionResult> ShowAgainAsync(Func<Task> reload)
    {
        ArgumentNullException.ThrowIfNull(reload);
        var errors = new Dictionary<string, string[]>(Errors);
        var problem = Problem;
        await reload();
        foreach (var (k, v) in errors) Errors[k] = v;
        Problem = problem;
        return Page();
    }

    public IHtmlContent FieldError(string field) => AdminHtml.FieldError(Errors, field);

    public string Invalid(string field) => Errors.ContainsKey(field) ? "true" : "false";
}

/// <summary>Runs a minimal-API <see cref="IResult"/> (a file, a problem) as the answer of a page handler.</summary>
public sealed class HttpResultAction(IResult result) : IActionResult
{
    public Task ExecuteResultAsync(ActionContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return result.ExecuteAsync(context.HttpContext);
    }
}

/// <summary>pt-BR formatting at the edge: R$ 1.606,08, dd/MM/yyyy.</summary>
public static class AdminHtml
{
    public static readonly CultureInfo PtBr = CultureInfo.GetCultureInfo("pt-BR");

    /// <summary>"1.234,56" (cells under a "(R$)" header): <see cref="GrainInterfaces.Common.Money.Number"/>.</summary>
    public static string Money(decimal value) => GrainInterfaces.Common.Money.Number(value);

    /// <summary>"R$ 1.234,56", negatives "-R$ 1,00": <see cref="GrainInterfaces.Common.Money.Format"/>.</summary>
    public static string Brl(decimal value) => GrainInterfaces.Common.Money.Format(value);

    public static string Date(DateOnly d) => d.ToString("dd/MM/yyyy", PtBr);

    public static string DateTime(DateTimeOffset? at) =>
        at is { } v ? SaoPauloTime.Local(v).ToString("dd/MM/yyyy HH:mm", PtBr) : "";

    public static string Day(DateTimeOffset at) => SaoPauloTime.Local(at).ToString("dd/MM/yyyy", PtBr);

    public static string Number(long n) => n.ToString("N0", PtBr);

    public static string Inv(decimal d) => d.ToString(CultureInfo.InvariantCulture);

    public static string Inv(long n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>"2026-10" → "10/2026".</summary>
    public static string Period(string period) => period is { Length: 7 } ? period[5..] + "/" + period[..4] : period;

    public static IHtmlContent FieldError(IReadOnlyDictionary<string, string[]> errors, string field)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (!errors.TryGetValue(field, out var messages) || messages.Length == 0) return HtmlString.Empty;
        var id = "err-" + field.Replace('.', '-').Replace('[', '-').Replace(']', '-');
        var text = HtmlEncoder.Default.Encode(string.Join(" ", messages));
        return new HtmlString($"<span class=\"field-error\" id=\"{id}\" role=\"alert\">{text}</span>");
    }
}
