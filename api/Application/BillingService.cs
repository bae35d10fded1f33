using System.Globalization;
using System.Net.Mail;
using Billing.Api.Apis;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.Common;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Circuits;

namespace Billing.Api.Application;

/// <summary>A billing just made, or the one a repeated idempotency key made before (<see cref="Replayed"/>).</summary>
public sealed record BillingRun(BillingResponse Billing, bool Replayed);

/// <summary>A rendered document (a closing report PDF).</summary>
public sealed record RenderedFile(string Name, string ContentType, byte[] Content);

/// <summary>Why an uploaded file is refused: 400 (name), 413 (size) or 415 (type, content).</summary>
public sealed record FileProblem(int Status, string Message);

/// <summary>
/// Pending billing's commands, shared by <c>/api/billing</c> and the admin pages: contracts, one-off charges ("avulsos")
/// and their attachment, billing ("faturar", with the finalization form's files), reversal, billing attachments, the
/// closing report in its four kinds and sending it by e-mail. Validates first (reading through <see cref="BillingQueries"/>),
/// then one call to the owner of the billing tables, the pending-billing grain; answers <see cref="CommandResult{T}"/>.
/// </summary>
public sealed class BillingService(IClusterClient grains, BillingQueries queries, TimeProvider clock)
{
    public const string IdempotencyField = "Idempotency-Key";
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

    private IPendingBillingGrain Owner => grains.GetGrain<IPendingBillingGrain>(IPendingBillingGrain.Key);

    private DateOnly Today => SaoPauloTime.Today(clock);

    private static void Money(decimal? v, string field, FieldErrors errors, bool required, bool positive = false)
    {
        if (v is null)
        {
            if (required) errors.Add(field, "Informe o valor.");
            return;
        }
        if (v < 0 || (positive && v == 0)) errors.Add(field, positive ? "O valor deve ser maior que zero." : "O valor não pode ser negativo.");
        else if (!GrainInterfaces.Common.Money.HasAtMostTwoDecimals(v.Value)) errors.Add(field, "Use no máximo 2 casas decimais (centavos).");
        else if (!GrainInterfaces.Common.Money.WithinCap(v.Value)) errors.Add(field, "Valor grande demais.");
    }

    // ---------------------------------------------------------------- files

    private static bool MagicMatches(string type, ReadOnlySpan<byte> b) => type.ToLowerInvariant() switch
    {
        "application/pdf" => b.StartsWith("%PDF-"u8),
        "image/png" => b.StartsWith(new byte[] { 0x89, 0x50, 0x4E, 0x47 }),
        "image/jpeg" => b.StartsWith(new byte[] { 0xFF, 0xD8, 0xFF }),
        _ => true,
    };

    public static FileProblem TooLarge() =>
        new(413, string.Create(CultureInfo.InvariantCulture, $"O anexo pode ter no máximo {MaxAttachmentBytes / (1024 * 1024)} MB."));

    /// <summary>Checks an uploaded file (size, name, type, extension, magic bytes); the file as stored, or why not.</summary>
    public static (UploadedFile? File, FileProblem? Problem) CheckFile(string? fileName, string? contentType, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0) return (null, new FileProblem(400, "Envie um arquivo não vazio no campo 'file'."));
        if (content.Length > MaxAttachmentBytes) return (null, TooLarge());
        var type = (contentType ?? "").Split(';')[0].Trim().ToLowerInvariant();
        var name = Path.GetFileName(fileName ?? "").Trim();
        if (name.Length is 0 or > 200 || InputRules.Text(name, 200) is not null)
            return (null, new FileProblem(400, "Informe um nome de arquivo de até 200 caracteres."));
        var ext = Path.GetExtension(name);
        if (!AllowedTypes.TryGetValue(type, out var exts) || !exts.Contains(ext, StringComparer.OrdinalIgnoreCase))
            return (null, new FileProblem(415, "Tipos aceitos: PDF, XML (NF-e), PNG, JPEG, TXT e CSV, com a extensão correspondente."));
        if (!MagicMatches(type, content)) return (null, new FileProblem(415, $"O conteúdo do arquivo não é {type}."));
        return (new UploadedFile(name, type, content), null);
    }

    // ---------------------------------------------------------------- contracts

    private async Task<FieldErrors> Validate(ContractRequest body, CancellationToken ct)
    {
        var e = new FieldErrors();
        var today = Today;
        if (body.CustomerId is not > 0) e.Add("customerId", "Informe o cliente.");
        else if (await queries.CustomerName(body.CustomerId.Value, ct) is null) e.Add("customerId", "Cliente não encontrado.");
        if (string.IsNullOrWhiteSpace(body.Name)) e.Add("name", "Informe o nome do contrato.");
        else if (body.Name.Length > 200) e.Add("name", "Use no máximo 200 caracteres.");
        else if (InputRules.Text(body.Name, 200) is { } badName) e.Add("name", badName);
        if (!ContractKinds.IsValid(body.Kind)) e.Add("kind", "Use circuito, did ou servico.");
        if (!ContractTimings.IsValid(body.Timing)) e.Add("timing", "Use antecipado ou posterior.");
        if (body.DayOfMonth is not (>= 1 and <= 31)) e.Add("dayOfMonth", "Informe o dia do mês (1 a 31; no mês mais curto vale o último dia).");
        if (body.DueDays is < 0 or > 120) e.Add("dueDays", "Use de 0 a 120 dias.");
        if (body.StartDate is null) e.Add("startDate", "Informe a data de início.");
        else if (body.StartDate.Value.Year < 2000) e.Add("startDate", "Data de início inválida.");
        else if (InputRules.Day(body.StartDate.Value, today) is { } badStart) e.Add("startDate", badStart);
        if (body.EndDate is { } end && body.StartDate is { } start && end < start) e.Add("endDate", "O fim deve ser depois do início.");
        else if (body.EndDate is { } end2 && InputRules.Day(end2, today, futureYears: 50) is { } badEnd) e.Add("endDate", badEnd);
        Money(body.Amount, "amount", e, required: body.Kind == ContractKinds.Servico);
        switch (body.Kind)
        {
            case ContractKinds.Circuito:
                if (!CircuitKeys.IsValidAccount(body.Account)) e.Add("account", "Informe o circuito.");
                else if (!await queries.CircuitExists(body.Account!, ct)) e.Add("account", "Circuito não encontrado.");
                break;
            case ContractKinds.Did:
                if (string.IsNullOrWhiteSpace(body.DidNumber)) e.Add("didNumber", "Informe o DID (E.164, ex.: +551133334444).");
                else if (InputRules.Text(body.DidNumber, 20) is { } badDid) e.Add("didNumber", badDid);
                else if (!await queries.DidExists(body.DidNumber.Trim(), ct)) e.Add("didNumber", "DID não encontrado.");
                break;
        }
        return e;
    }

    private static ContractCommand ToCommand(ContractRequest body) => new(
        body.CustomerId!.Value, body.Name!.Trim(), body.Kind!, body.Kind == ContractKinds.Circuito ? body.Account : null,
        body.Kind == ContractKinds.Did ? body.DidNumber!.Trim() : null, body.Amount, body.Timing!, body.DayOfMonth!.Value, body.DueDays ?? 0,
        body.StartDate!.Value, body.EndDate);

    public async Task<CommandResult<ContractResponse>> CreateContract(ContractRequest body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = await Validate(body, ct);
        if (errors.Any) return errors.Invalid<ContractResponse>();
        var id = await Owner.CreateContract(ToCommand(body));
        return CommandResult<ContractResponse>.Ok((await queries.Contract(id, ct))!);
    }

    /// <summary>
    /// Changes a contract. Billed periods are frozen (their billed amounts and dates never change); periods not yet
    /// billed are re-created from the new schedule. The customer of a contract cannot change.
    /// </summary>
    public async Task<CommandResult<ContractResponse>> UpdateContract(long id, ContractRequest body, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await queries.Contract(id, ct) is not { } current) return CommandResult<ContractResponse>.NotFound($"Contrato {id} não encontrado.");
        if (body.CustomerId is { } other && other != current.CustomerId)
            return CommandResult<ContractResponse>.Invalid("customerId", "O cliente de um contrato não muda: encerre este (endDate) e crie outro.");
        body = body with { CustomerId = current.CustomerId };
        var errors = await Validate(body, ct);
        if (errors.Any) return errors.Invalid<ContractResponse>();
        if (!await Owner.UpdateContract(id, ToCommand(body))) return CommandResult<ContractResponse>.NotFound($"Contrato {id} não encontrado.");
        return await queries.Contract(id, ct) is { } c ? CommandResult<ContractResponse>.Ok(c) : CommandResult<ContractResponse>.NotFound($"Contrato {id} não encontrado.");
    }

    /// <summary>"Encerrar": the contract ends on <paramref name="endDate"/> (its last billed month); nothing else changes.</summary>
    public async Task<CommandResult<ContractResponse>> EndContract(long id, DateOnly? endDate, CancellationToken ct)
    {
        if (await queries.Contract(id, ct) is not { } c) return CommandResult<ContractResponse>.NotFound($"Contrato {id} não encontrado.");
        if (endDate is null) return CommandResult<ContractResponse>.Invalid("endDate", "Informe a data de encerramento.");
        return await UpdateContract(id, new ContractRequest(c.CustomerId, c.Name, c.Kind, c.Account, c.DidNumber, c.Amount, c.Timing, c.DayOfMonth,
            c.DueDays, c.StartDate, endDate), ct);
    }

    /// <summary>Deletes a contract: Conflict while any of its periods is billed (cancel the billing first).</summary>
    public Task<CommandResult> DeleteContract(long id) => Owner.DeleteContract(id);

    // ---------------------------------------------------------------- avulsos

    private async Task<FieldErrors> Validate(AvulsoRequest body, CancellationToken ct)
    {
        var e = new FieldErrors();
        var today = Today;
        if (body.CustomerId is not > 0) e.Add("customerId", "Informe o cliente.");
        else if (await queries.CustomerName(body.CustomerId.Value, ct) is null) e.Add("customerId", "Cliente não encontrado.");
        if (body.Date is null) e.Add("date", "Informe a data.");
        else if (InputRules.Day(body.Date.Value, today) is { } badDate) e.Add("date", badDate);
        if (body.DueDate is { } due && body.Date is { } date && due < date) e.Add("dueDate", "O vencimento não pode ser antes da data.");
        else if (body.DueDate is { } due2 && InputRules.Day(due2, today) is { } badDue) e.Add("dueDate", badDue);
        if (string.IsNullOrWhiteSpace(body.Description)) e.Add("description", "Informe a descrição.");
        else if (body.Description.Length > 500) e.Add("description", "Use no máximo 500 caracteres.");
        else if (InputRules.Text(body.Description, 500, multiline: true) is { } badText) e.Add("description", badText);
        Money(body.Amount, "amount", e, required: true, positive: true);
        return e;
    }

    private static AvulsoCommand ToCommand(AvulsoRequest body) =>
        new(body.CustomerId!.Value, body.Date!.Value, body.DueDate ?? body.Date!.Value, body.Description!.Trim(), body.Amount!.Value);

    /// <summary>Creates an avulso, with its attachment when <paramref name="file"/> is given (checked with <see cref="CheckFile"/>).</summary>
    public async Task<CommandResult<AvulsoResponse>> CreateAvulso(AvulsoRequest body, CancellationToken ct, UploadedFile? file = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = await Validate(body, ct);
        if (errors.Any) return errors.Invalid<AvulsoResponse>();
        var id = await Owner.CreateAvulso(ToCommand(body));
        if (file is not null && await Owner.SetAvulsoAttachment(id, file) is { IsOk: false } failed) return CommandResult<AvulsoResponse>.From(failed);
        return CommandResult<AvulsoResponse>.Ok((await queries.Avulso(id, ct))!);
    }

    public async Task<CommandResult<AvulsoResponse>> UpdateAvulso(long id, AvulsoRequest body, CancellationToken ct, UploadedFile? file = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (await queries.Avulso(id, ct) is not { } current) return CommandResult<AvulsoResponse>.NotFound($"Valor avulso {id} não encontrado.");
        if (current.BillingId is not null)
            return CommandResult<AvulsoResponse>.Conflict($"O valor avulso {id} está faturado: cancele o faturamento antes de alterá-lo.");
        if (body.CustomerId is { } other && other != current.CustomerId)
            return CommandResult<AvulsoResponse>.Invalid("customerId", "O cliente de um valor avulso não muda: exclua-o e crie outro.");
        body = body with { CustomerId = current.CustomerId };
        var errors = await Validate(body, ct);
        if (errors.Any) return errors.Invalid<AvulsoResponse>();
        var r = await Owner.UpdateAvulso(id, ToCommand(body));
        if (!r.IsOk) return CommandResult<AvulsoResponse>.From(r);
        if (file is not null && await Owner.SetAvulsoAttachment(id, file) is { IsOk: false } failed) return CommandResult<AvulsoResponse>.From(failed);
        return CommandResult<AvulsoResponse>.Ok((await queries.Avulso(id, ct))!);
    }

    public Task<CommandResult> DeleteAvulso(long id) => Owner.DeleteAvulso(id);

    /// <summary>Sets (or replaces) the one attachment of an avulso; Conflict while the avulso is billed.</summary>
    public Task<CommandResult> SetAvulsoAttachment(long id, UploadedFile file) => Owner.SetAvulsoAttachment(id, file);

    // ---------------------------------------------------------------- pending

    /// <summary>
    /// The pending list ("faturamentos pendentes") under the filters of <see cref="BillingQueries.PendingFilterArg"/>: the
    /// owner computes the items (writing nothing), <see cref="BillingQueries.PendingList"/> groups them by customer.
    /// </summary>
    public async Task<CommandResult<PendingResponse>> Pending(string? baseDate, string? dueDate, string? customerIds, string? kind,
        CancellationToken ct)
    {
        var errors = new FieldErrors();
        var f = BillingQueries.PendingFilterArg(baseDate, dueDate, customerIds, kind, clock, errors);
        if (f is null) return errors.Invalid<PendingResponse>();
        return CommandResult<PendingResponse>.Ok(await queries.PendingList(f, await Owner.Pending(f), ct));
    }

    /// <summary>"Prévia": the report PDF of one customer's pending items under the list's filters (optionally some item ids), before billing.</summary>
    public async Task<CommandResult<RenderedFile>> Preview(long? customerId, string? baseDate, string? dueDate, string? kind, string? itemIds,
        string? type, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var reportKind = Kind(type, errors, "type");
        if (customerId is not > 0) errors.Add("customerId", "Informe o cliente.");
        var f = BillingQueries.PendingFilterArg(baseDate, dueDate, customerId?.ToString(CultureInfo.InvariantCulture), kind, clock, errors);
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
        if (errors.Any || f is null || reportKind is null) return errors.Invalid<RenderedFile>();
        var items = (await Owner.Pending(f)).Where(i => only is null || only.Contains(i.Id)).ToList();
        var report = await queries.PreviewReport(customerId!.Value, items, reportKind, ct);
        if (report is null) return CommandResult<RenderedFile>.NotFound($"Cliente {customerId} não encontrado.");
        return CommandResult<RenderedFile>.Ok(new RenderedFile(string.Create(CultureInfo.InvariantCulture, $"previa-faturamento-{customerId}.pdf"),
            "application/pdf", await Render(report)));
    }

    // ---------------------------------------------------------------- billing

    /// <summary>
    /// "Faturar" with the idempotency key given apart (the header for the API, a hidden form field for the web admin) and
    /// the finalization form's files, stored with the billing in the same transaction.
    /// </summary>
    public async Task<CommandResult<BillingRun>> Bill(BillRequest body, string? idempotencyKey, string actor, CancellationToken ct,
        IReadOnlyList<UploadedFile>? files = null)
    {
        ArgumentNullException.ThrowIfNull(body);
        var errors = new FieldErrors();
        var key = (idempotencyKey ?? "").Trim();
        if (key.Length > 200) errors.Add(IdempotencyField, "Use no máximo 200 caracteres.");
        if (body.CustomerId is not > 0) errors.Add("customerId", "Informe o cliente.");
        var all = body.All ?? false;
        if (all && body.ItemIds is { Count: > 0 }) errors.Add("itemIds", "Use itemIds (faturamento parcial) ou all: true (total), não os dois.");
        if (!all && body.ItemIds is not { Count: > 0 }) errors.Add("itemIds", "Escolha os itens a faturar (itemIds) ou all: true.");
        var today = Today;
        // a billing date decades away would materialize every contract period up to it (tens of thousands of rows)
        if (body.BillingDate is null) errors.Add("billingDate", "Informe a data de faturamento.");
        else if (InputRules.Day(body.BillingDate.Value, today) is { } badBilling) errors.Add("billingDate", badBilling);
        if (body.DueDate is null) errors.Add("dueDate", "Informe a data de vencimento.");
        else if (InputRules.Day(body.DueDate.Value, today) is { } badDue) errors.Add("dueDate", badDue);
        if (body.BaseDate is { } baseDay && InputRules.Day(baseDay, today) is { } badBase) errors.Add("baseDate", badBase);
        Money(body.Discount, "discount", errors, required: false);
        Money(body.Interest, "interest", errors, required: false);
        if (body.NfeNumber is { Length: > 60 }) errors.Add("nfeNumber", "Use no máximo 60 caracteres.");
        else if (InputRules.Text(body.NfeNumber, 60) is { } badNfe) errors.Add("nfeNumber", badNfe);
        if (body.Notes is { Length: > 4000 }) errors.Add("notes", "Use no máximo 4000 caracteres.");
        else if (InputRules.Text(body.Notes, 4000, multiline: true) is { } badNotes) errors.Add("notes", badNotes);
        if (InputRules.Text(key, 200) is { } badKey) errors.Add(IdempotencyField, badKey);
        if (files is { Count: > 10 }) errors.Add("arquivos", "No máximo 10 arquivos por faturamento.");
        if (errors.Any) return errors.Invalid<BillingRun>();

        var outcome = await Owner.Bill(new BillCommand
        {
            CustomerId = body.CustomerId!.Value,
            ItemIds = all ? null : body.ItemIds,
            BillingDate = body.BillingDate!.Value,
            BaseDate = body.BaseDate,
            DueDate = body.DueDate!.Value,
            Discount = body.Discount ?? 0m,
            Interest = body.Interest ?? 0m,
            NfeNumber = body.NfeNumber,
            Notes = body.Notes,
            IdempotencyKey = key,
            Actor = actor,
            Attachments = files ?? [],
        });
        return outcome.Status switch
        {
            BillStatus.Created or BillStatus.Replayed =>
                CommandResult<BillingRun>.Ok(new BillingRun((await queries.Billing(outcome.BillingId!.Value, ct))!, outcome.Status == BillStatus.Replayed)),
            BillStatus.NotFound => CommandResult<BillingRun>.NotFound(outcome.Message ?? "Não encontrado."),
            BillStatus.Invalid => CommandResult<BillingRun>.Invalid(outcome.Field ?? "body", outcome.Message ?? "Valor inválido."),
            _ => CommandResult<BillingRun>.Conflict(outcome.Message ?? "Conflito."),
        };
    }

    /// <summary>Reversal ("estorno") with its reason: the billing becomes CANCELADO and its items pending again.</summary>
    public async Task<CommandResult<BillingResponse>> Cancel(long id, string? reason, string actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason)) return CommandResult<BillingResponse>.Invalid("reason", "Informe o motivo do cancelamento (estorno).");
        if (reason.Length > 1000) return CommandResult<BillingResponse>.Invalid("reason", "Use no máximo 1000 caracteres.");
        if (InputRules.Text(reason, 1000, multiline: true) is { } badReason) return CommandResult<BillingResponse>.Invalid("reason", badReason);
        var r = await Owner.Cancel(id, reason.Trim(), actor);
        return r.IsOk ? CommandResult<BillingResponse>.Ok((await queries.Billing(id, ct))!) : CommandResult<BillingResponse>.From(r);
    }

    public async Task<CommandResult<BillingAttachmentInfo>> AddAttachment(long id, UploadedFile file, string actor)
    {
        ArgumentNullException.ThrowIfNull(file);
        var added = await Owner.AddAttachment(id, file, actor);
        return added.Status switch
        {
            BillStatus.Created => CommandResult<BillingAttachmentInfo>.Ok(
                new BillingAttachmentInfo(added.Id, file.Name, file.ContentType, file.Content.Length, added.Sha256, added.CreatedAt, actor)),
            BillStatus.NotFound => CommandResult<BillingAttachmentInfo>.NotFound(added.Message ?? $"Faturamento {id} não encontrado."),
            _ => CommandResult<BillingAttachmentInfo>.Conflict(added.Message ?? $"O faturamento {id} não recebe anexos."),
        };
    }

    // ---------------------------------------------------------------- reports and e-mail

    private static string? Kind(string? type, FieldErrors errors, string field)
    {
        var kind = BillingReportKinds.Parse(type);
        if (kind is null) errors.Add(field, "Use sintetico, detalhado, detalhado-ligacoes ou agrupado-circuito.");
        return kind;
    }

    private async Task<byte[]> Render(BillingReport report) => await grains.GetGrain<IBillingReportGrain>(0).RenderPdf(report);

    /// <summary>The closing report PDF of a billing (<paramref name="linkBase"/>: scheme://host the avulso attachment links point to).</summary>
    public async Task<CommandResult<RenderedFile>> Report(long id, string? type, string linkBase, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var kind = Kind(type, errors, "type");
        if (kind is null) return errors.Invalid<RenderedFile>();
        var report = await queries.Report(id, kind, linkBase, ct);
        if (report is null) return CommandResult<RenderedFile>.NotFound($"Faturamento {id} não encontrado.");
        return CommandResult<RenderedFile>.Ok(new RenderedFile(string.Create(CultureInfo.InvariantCulture, $"faturamento-{id}-{kind}.pdf"), "application/pdf",
            await Render(report)));
    }

    /// <summary>"Enviar PDF por e-mail": the report rendered now, queued in the e-mail outbox (the silos' sender delivers it).</summary>
    public async Task<CommandResult<BillingEmailResponse>> Email(long id, string? to, string? reportType, string linkBase, string actor, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var recipients = (to ?? "").Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (recipients.Count == 0) errors.Add("to", "Informe o e-mail que vai receber o relatório.");
        else if (recipients.Count > 10) errors.Add("to", "No máximo 10 destinatários.");
        else if (recipients.Any(r => !MailAddress.TryCreate(r, out var a) || a.Address != r)) errors.Add("to", "E-mail inválido.");
        var kind = Kind(reportType, errors, "type");
        if (errors.Any || kind is null) return errors.Invalid<BillingEmailResponse>();
        var report = await queries.Report(id, kind, linkBase, ct);
        if (report is null) return CommandResult<BillingEmailResponse>.NotFound($"Faturamento {id} não encontrado.");
        if (report.Status == BillingStatus.Cancelado) return CommandResult<BillingEmailResponse>.Conflict($"O faturamento {id} está cancelado.");
        var pdf = await Render(report);
        var n = id.ToString(CultureInfo.InvariantCulture);
        var subject = $"Faturamento {n} - {report.CustomerName}";
        var text = string.Join('\n',
            $"Olá, {report.CustomerName}.",
            "",
            $"Segue o relatório de fechamento do faturamento {n} ({BillingReportKinds.Label(kind)}).",
            $"Valor: {GrainInterfaces.Common.Money.Format(report.ValorReal)}" +
            (report.DueDate is { } due ? $" - vencimento {due.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)}" : ""),
            report.NfeNumber is { Length: > 0 } nfe ? $"NFe: {nfe}" : "");
        var outboxId = await Owner.QueueReportEmail(id, new ReportEmail(recipients, subject, text, kind, $"faturamento-{n}-{kind}.pdf", pdf), actor);
        return CommandResult<BillingEmailResponse>.Ok(new BillingEmailResponse(outboxId, id, recipients, kind, "PENDENTE"));
    }
}
