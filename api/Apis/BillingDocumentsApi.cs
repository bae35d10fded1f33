using Billing.GrainInterfaces.Common;
using System.Collections.Immutable;
using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Registration;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Api.Apis;

public sealed record BillingEmailRequest(string? To, string? ReportType);

public sealed record BillingEmailResponse(long OutboxId, long BillingId, IReadOnlyList<string> Recipients, string ReportType, string Status);

/// <summary>
/// Documents of a billing: attachments (multipart upload, stored in PostgreSQL, listed and downloadable), the
/// closing report PDF (sintético / detalhado, also as a preview of pending items) rendered by the silo's
/// document layout, and sending the report by e-mail through the outbox.
/// </summary>
public static class BillingDocumentsApi
{
    public const int MaxAttachmentBytes = 5 * 1024 * 1024;

    /// <summary>Allowed attachment types (NF-e XML and PDF, images, text/CSV).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> AllowedTypes = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
    {
        ["application/pdf"] = [".pdf"],
        ["application/xml"] = [".xml"],
        ["text/xml"] = [".xml"],
        ["image/png"] = [".png"],
        ["image/jpeg"] = [".jpg", ".jpeg"],
        ["text/plain"] = [".txt"],
        ["text/csv"] = [".csv"],
    };

    public static IEndpointRouteBuilder MapBillingDocumentsApi(this IEndpointRouteBuilder app)
    {
        var b = app.MapGroup("/api/billing").WithTags("Faturamento").RequireAuthorization(Policies.Admin);
        b.MapPost("/{id:long}/attachments", Upload).DisableAntiforgery();
        b.MapGet("/{id:long}/attachments", ListAttachments);
        b.MapGet("/{id:long}/attachments/{attachmentId:long}", Download);
        b.MapGet("/{id:long}/report.pdf", Report);
        b.MapGet("/pending/report.pdf", Preview);
        b.MapPost("/{id:long}/email", Email);
        b.MapPut("/avulsos/{id:long}/attachment", UploadAvulso).DisableAntiforgery();
        b.MapGet("/avulsos/{id:long}/attachment", DownloadAvulso);
        return app;
    }

    // ---------------------------------------------------------------- attachments

    private static bool MagicMatches(string type, ReadOnlySpan<byte> b) => type.ToLowerInvariant() switch
    {
        "application/pdf" => b.StartsWith("%PDF-"u8),
        "image/png" => b.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47 }),
        "image/jpeg" => b.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF }),
        _ => true,
    };

    /// <summary>Reads and checks the multipart upload (field <c>file</c>): size, type, extension, magic bytes.</summary>
    private static async Task<(string Name, string Type, byte[] Bytes, IResult? Problem)> ReadUpload(HttpContext http, CancellationToken ct)
    {
        static (string, string, byte[], IResult?) Fail(IResult p) => ("", "", [], p);
        if (http.Request.ContentLength > MaxAttachmentBytes + 64 * 1024) return Fail(TooLarge());
        if (!http.Request.HasFormContentType)
            return Fail(TypedResults.Problem(detail: "Envie o arquivo como multipart/form-data (campo 'file').", statusCode: 415, title: Problems.TitleFor(415)));
        var form = await http.Request.ReadFormAsync(ct);
        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null || file.Length == 0) return Fail(Problems.Field("file", "Envie um arquivo não vazio no campo 'file'."));
        if (file.Length > MaxAttachmentBytes) return Fail(TooLarge());
        var type = (file.ContentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var name = Path.GetFileName(file.FileName ?? "").Trim();
        if (name.Length is 0 or > 200) return Fail(Problems.Field("file", "Informe um nome de arquivo de até 200 caracteres."));
        var ext = Path.GetExtension(name);
        if (!AllowedTypes.TryGetValue(type, out var exts) || !exts.Contains(ext, StringComparer.OrdinalIgnoreCase))
            return Fail(TypedResults.Problem(statusCode: 415, title: Problems.TitleFor(415),
                detail: "Tipos aceitos: PDF, XML (NF-e), PNG, JPEG, TXT e CSV, com a extensão correspondente."));
        using var buffer = new MemoryStream((int)file.Length);
        await file.CopyToAsync(buffer, ct);
        var bytes = buffer.ToArray();
        if (!MagicMatches(type, bytes))
            return Fail(TypedResults.Problem(statusCode: 415, title: Problems.TitleFor(415), detail: $"O conteúdo do arquivo não é {type}."));
        return (name, type, bytes, null);
    }

    private static IPendingBillingGrain Owner(IClusterClient cluster) => cluster.GetGrain<IPendingBillingGrain>(IPendingBillingGrain.Key);

    private static async Task<IResult> Upload(long id, HttpContext http, IClusterClient cluster, CancellationToken ct)
    {
        var (name, type, bytes, problem) = await ReadUpload(http, ct);
        if (problem is not null) return problem;
        var actor = CommandResults.Actor(http);
        var added = await Owner(cluster).AddAttachment(id, new UploadedFile(name, type, bytes), actor);
        return added.Status switch
        {
            BillStatus.Created => TypedResults.Created($"/api/billing/{id}/attachments/{added.Id}",
                new BillingAttachmentInfo(added.Id, name, type, bytes.Length, added.Sha256, added.CreatedAt, actor)),
            BillStatus.NotFound => Problems.NotFound(added.Message ?? $"Faturamento {id} não encontrado."),
            _ => Problems.Conflict(added.Message ?? $"O faturamento {id} não recebe anexos."),
        };
    }

    /// <summary>Sets (or replaces) the one attachment of an avulso; 409 while the avulso is billed.</summary>
    private static async Task<IResult> UploadAvulso(long id, HttpContext http, IClusterClient cluster, CancellationToken ct)
    {
        var (name, type, bytes, problem) = await ReadUpload(http, ct);
        if (problem is not null) return problem;
        var r = await Owner(cluster).SetAvulsoAttachment(id, new UploadedFile(name, type, bytes));
        return r.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> DownloadAvulso(long id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            "SELECT attachment_name, attachment_content_type, attachment FROM billing_avulsos WHERE id = @id AND attachment IS NOT NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return Problems.NotFound($"O valor avulso {id} não tem anexo.");
        return TypedResults.File(r.GetFieldValue<byte[]>(2), r.GetString(1), r.GetString(0));
    }

    private static IResult TooLarge() => TypedResults.Problem(statusCode: 413, title: Problems.TitleFor(413),
        detail: string.Create(CultureInfo.InvariantCulture, $"O anexo pode ter no máximo {MaxAttachmentBytes / (1024 * 1024)} MB."));

    private static async Task<IResult> ListAttachments(long id, NpgsqlDataSource db, CancellationToken ct) =>
        await BillingApi.Load(db, id, ct) is { } b ? TypedResults.Ok(b.Attachments) : Problems.NotFound($"Faturamento {id} não encontrado.");

    private static async Task<IResult> Download(long id, long attachmentId, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT file_name, content_type, content FROM billing_attachments WHERE id = @a AND billing_id = @b");
        cmd.Parameters.AddWithValue("a", attachmentId);
        cmd.Parameters.AddWithValue("b", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return Problems.NotFound($"Anexo {attachmentId} do faturamento {id} não encontrado.");
        return TypedResults.File(r.GetFieldValue<byte[]>(2), r.GetString(1), r.GetString(0));
    }

    // ---------------------------------------------------------------- reports

    private static bool? ReadType(string? type, FieldErrors errors)
    {
        var t = string.IsNullOrWhiteSpace(type) ? "sintetico" : type.Trim().ToLowerInvariant();
        if (t is "sintetico" or "sintético") return false;
        if (t is "detalhado") return true;
        errors.Add("type", "Use sintetico ou detalhado.");
        return null;
    }

    private static async Task<(string Name, string? Document)> Customer(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand("SELECT nome, documento FROM customers WHERE id = @id");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct)) return ("", null);
        return (r.GetString(0), TaxId.Format(r.GetString(1)));
    }

    private static BillingReportItem ReportItem(string source, string description, string reference, DateOnly date, DateOnly due, decimal amount,
        ItemDetails? d) => new()
    {
        Source = source,
        Description = description,
        Reference = reference,
        Date = date,
        DueDate = due,
        Amount = amount,
        MonthlyFee = d?.MonthlyFee,
        UsagePeriod = d?.UsagePeriod,
        Usage = d?.Usage is { } u ? [.. u.Select(x => new BillingReportUsage(x.CallType, x.Calls, x.Seconds, x.Amount))] : [],
    };

    internal static async Task<BillingReport?> BuildReport(NpgsqlDataSource db, long id, bool detailed, TimeProvider clock, CancellationToken ct)
    {
        var b = await BillingApi.Load(db, id, ct);
        if (b is null) return null;
        var (name, document) = await Customer(db, b.CustomerId, ct);
        return new BillingReport
        {
            Title = "Faturamento " + id.ToString(CultureInfo.InvariantCulture),
            Detailed = detailed,
            Status = b.Status,
            CustomerName = name,
            CustomerDocument = document,
            BillingDate = b.BillingDate,
            DueDate = b.DueDate,
            Total = b.Total,
            Discount = b.Discount,
            Interest = b.Interest,
            ValorReal = b.ValorReal,
            NfeNumber = b.NfeNumber,
            Notes = b.Notes,
            Items = [.. b.Items.Select(i => ReportItem(i.Source, i.Description, i.Reference, i.Date, i.DueDate, i.Amount, i.Details))],
            Attachments = [.. b.Attachments.Select(a => a.FileName)],
            GeneratedAt = clock.GetUtcNow(),
        };
    }

    internal static async Task<IResult> Report(long id, NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock, CancellationToken ct,
        string? type = null)
    {
        var errors = new FieldErrors();
        var detailed = ReadType(type, errors);
        if (detailed is null) return errors.ToProblem();
        var report = await BuildReport(db, id, detailed.Value, clock, ct);
        if (report is null) return Problems.NotFound($"Faturamento {id} não encontrado.");
        var pdf = await cluster.GetGrain<IBillingReportGrain>(0).RenderPdf(report);
        return TypedResults.File(pdf, "application/pdf",
            string.Create(CultureInfo.InvariantCulture, $"faturamento-{id}-{(detailed.Value ? "detalhado" : "sintetico")}.pdf"));
    }

    /// <summary>Preview of one customer's pending items before billing (same filters as the pending list, optionally some item ids).</summary>
    internal static async Task<IResult> Preview(NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock, CancellationToken ct,
        long? customerId = null, string? baseDate = null, string? dueDate = null, string? kind = null, string? itemIds = null, string? type = null)
    {
        var errors = new FieldErrors();
        var detailed = ReadType(type, errors);
        if (customerId is not > 0) errors.Add("customerId", "Informe o cliente.");
        var f = BillingApi.ReadFilter(baseDate, dueDate, customerId?.ToString(CultureInfo.InvariantCulture), kind, clock, errors);
        HashSet<long>? only = null;
        if (!string.IsNullOrWhiteSpace(itemIds))
        {
            only = [];
            foreach (var p in itemIds.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                if (long.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) only.Add(v);
                else
                {
                    errors.Add("itemIds", "Use ids separados por vírgulas.");
                    break;
                }
        }
        if (errors.Any || f is null || detailed is null) return errors.ToProblem();
        var items = (await Owner(cluster).Pending(f)).Where(i => only is null || only.Contains(i.Id)).ToList();
        var (name, document) = await Customer(db, customerId!.Value, ct);
        if (name.Length == 0) return Problems.NotFound($"Cliente {customerId} não encontrado.");
        var total = Money.Round(items.Sum(i => i.Amount));
        var report = new BillingReport
        {
            Title = "Prévia de faturamento",
            Detailed = detailed.Value,
            Status = "PRÉVIA",
            CustomerName = name,
            CustomerDocument = document,
            Total = total,
            ValorReal = total,
            Notes = items.Count == 0 ? "Nenhum item pendente." : BillingRules.DefaultNotes(items.Select(i => i.Description)),
            Items = [.. items.Select(i => ReportItem(i.Source, i.Description, i.Reference, i.Date, i.DueDate, i.Amount, i.Details))],
            GeneratedAt = clock.GetUtcNow(),
        };
        var pdf = await cluster.GetGrain<IBillingReportGrain>(0).RenderPdf(report);
        return TypedResults.File(pdf, "application/pdf",
            string.Create(CultureInfo.InvariantCulture, $"previa-faturamento-{customerId}.pdf"));
    }

    // ---------------------------------------------------------------- e-mail

    /// <summary>Queues the report (rendered now, attached as is) in the e-mail outbox; the silo's sender delivers it.</summary>
    private static async Task<IResult> Email(long id, BillingEmailRequest body, HttpContext http, NpgsqlDataSource db, IClusterClient cluster,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var recipients = (body.To ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (recipients.Count == 0) errors.Add("to", "Informe o e-mail que vai receber o relatório.");
        else if (recipients.Count > 10) errors.Add("to", "No máximo 10 destinatários.");
        else if (recipients.Any(r => !MailAddress.TryCreate(r, out var a) || a.Address != r)) errors.Add("to", "E-mail inválido.");
        var detailed = ReadType(body.ReportType, errors);
        if (errors.Any || detailed is null) return errors.ToProblem();
        var report = await BuildReport(db, id, detailed.Value, clock, ct);
        if (report is null) return Problems.NotFound($"Faturamento {id} não encontrado.");
        if (report.Status == BillingStatus.Cancelado) return Problems.Conflict($"O faturamento {id} está cancelado.");
        var pdf = await cluster.GetGrain<IBillingReportGrain>(0).RenderPdf(report);
        var typeName = detailed.Value ? "detalhado" : "sintetico";
        var subject = $"Faturamento {id.ToString(CultureInfo.InvariantCulture)} - {report.CustomerName}";
        var text = string.Join('\n',
            $"Olá, {report.CustomerName}.",
            "",
            $"Segue o relatório de fechamento do faturamento {id.ToString(CultureInfo.InvariantCulture)} ({(detailed.Value ? "detalhado" : "sintético")}).",
            $"Valor: {Money.Format(report.ValorReal)}" +
            (report.DueDate is { } due ? $" - vencimento {due.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}" : ""),
            report.NfeNumber is { Length: > 0 } nfe ? $"NFe: {nfe}" : "");
        var outboxId = await Owner(cluster).QueueReportEmail(id, new ReportEmail(recipients, subject, text, typeName,
            string.Create(CultureInfo.InvariantCulture, $"faturamento-{id}-{typeName}.pdf"), pdf), CommandResults.Actor(http));
        return TypedResults.Accepted($"/api/outbox", new BillingEmailResponse(outboxId, id, recipients, typeName, "PENDENTE"));
    }
}
