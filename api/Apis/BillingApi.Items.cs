using System.Globalization;
using Billing.Api.Infrastructure;
using Billing.GrainInterfaces.PendingBilling;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Common;
using Npgsql;
using NpgsqlTypes;

namespace Billing.Api.Apis;

/// <summary>Billable items of pending billing: recurring contracts and one-off charges ("avulsos").</summary>
public static partial class BillingApi
{
    // ---------------------------------------------------------------- contracts

    private static async Task<FieldErrors> ValidateContract(ContractRequest body, NpgsqlConnection conn, DateOnly today, CancellationToken ct)
    {
        var e = new FieldErrors();
        if (body.CustomerId is not > 0) e.Add("customerId", "Informe o cliente.");
        else if (await CustomerName(conn, null, body.CustomerId.Value, ct) is null) e.Add("customerId", "Cliente não encontrado.");
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
                else if (!await Exists(conn, "SELECT 1 FROM circuits WHERE account = @v AND deleted_at IS NULL", body.Account!, ct))
                    e.Add("account", "Circuito não encontrado.");
                break;
            case ContractKinds.Did:
                if (string.IsNullOrWhiteSpace(body.DidNumber)) e.Add("didNumber", "Informe o DID (E.164, ex.: +551133334444).");
                else if (InputRules.Text(body.DidNumber, 20) is { } badDid) e.Add("didNumber", badDid);
                else if (!await Exists(conn, "SELECT 1 FROM dids WHERE number = @v", body.DidNumber.Trim(), ct))
                    e.Add("didNumber", "DID não encontrado.");
                break;
        }
        return e;
    }

    private const string ContractColumns =
        "id, customer_id, name, kind, account, did_number, amount, timing, day_of_month, due_days, start_date, end_date, created_at, updated_at";

    private static ContractResponse ReadContract(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5),
        r.IsDBNull(6) ? null : r.GetDecimal(6), r.GetString(7), r.GetInt32(8), r.GetInt32(9), r.GetFieldValue<DateOnly>(10),
        r.IsDBNull(11) ? null : r.GetFieldValue<DateOnly>(11), Utc(r.GetDateTime(12)), Utc(r.GetDateTime(13)));

    private static ContractCommand ToCommand(ContractRequest body) => new(
        body.CustomerId!.Value, body.Name!.Trim(), body.Kind!, body.Kind == ContractKinds.Circuito ? body.Account : null,
        body.Kind == ContractKinds.Did ? body.DidNumber!.Trim() : null, body.Amount, body.Timing!, body.DayOfMonth!.Value, body.DueDays ?? 0,
        body.StartDate!.Value, body.EndDate);

    private static async Task<IResult> CreateContract(ContractRequest body, NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = await ValidateContract(body, conn, SaoPauloTime.Today(clock), ct);
        if (errors.Any) return errors.ToProblem();
        var id = await Owner(cluster).CreateContract(ToCommand(body));
        var created = await LoadContract(db, id, ct);
        return TypedResults.Created($"/api/billing/contracts/{id}", created);
    }

    private static async Task<IResult> ListContracts(NpgsqlDataSource db, CancellationToken ct, long? customerId = null)
    {
        await using var cmd = db.CreateCommand(
            $"SELECT {ContractColumns} FROM billing_contracts WHERE deleted_at IS NULL AND (@c::bigint IS NULL OR customer_id = @c) ORDER BY customer_id, id");
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        var list = new List<ContractResponse>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadContract(r));
        return TypedResults.Ok(list);
    }

    private static async Task<ContractResponse?> LoadContract(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand($"SELECT {ContractColumns} FROM billing_contracts WHERE id = @id AND deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadContract(r) : null;
    }

    private static async Task<IResult> GetContract(long id, NpgsqlDataSource db, CancellationToken ct) =>
        await LoadContract(db, id, ct) is { } c ? TypedResults.Ok(c) : Problems.NotFound($"Contrato {id} não encontrado.");

    /// <summary>
    /// Changes a contract. Billed periods are frozen (their billed amounts and dates never change); periods not yet
    /// billed are re-created from the new schedule. The customer of a contract cannot change.
    /// </summary>
    private static async Task<IResult> UpdateContract(long id, ContractRequest body, NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        long customer;
        await using (var find = new NpgsqlCommand("SELECT customer_id FROM billing_contracts WHERE id = @id AND deleted_at IS NULL", conn))
        {
            find.Parameters.AddWithValue("id", id);
            if (await find.ExecuteScalarAsync(ct) is not long c) return Problems.NotFound($"Contrato {id} não encontrado.");
            customer = c;
        }
        if (body.CustomerId is { } other && other != customer)
            return Problems.Field("customerId", "O cliente de um contrato não muda: encerre este (endDate) e crie outro.");
        body = body with { CustomerId = customer };
        var errors = await ValidateContract(body, conn, SaoPauloTime.Today(clock), ct);
        if (errors.Any) return errors.ToProblem();
        if (!await Owner(cluster).UpdateContract(id, ToCommand(body))) return Problems.NotFound($"Contrato {id} não encontrado.");
        return await GetContract(id, db, ct);
    }

    /// <summary>Deletes a contract: refused (409) while any of its periods is billed (cancel the billing first).</summary>
    private static async Task<IResult> DeleteContract(long id, IClusterClient cluster)
    {
        var r = await Owner(cluster).DeleteContract(id);
        return r.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(r);
    }

    // ---------------------------------------------------------------- avulsos

    private static async Task<FieldErrors> ValidateAvulso(AvulsoRequest body, NpgsqlConnection conn, DateOnly today, CancellationToken ct)
    {
        var e = new FieldErrors();
        if (body.CustomerId is not > 0) e.Add("customerId", "Informe o cliente.");
        else if (await CustomerName(conn, null, body.CustomerId.Value, ct) is null) e.Add("customerId", "Cliente não encontrado.");
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

    private const string AvulsoSelect =
        """
        SELECT a.id, a.customer_id, a.date, a.due_date, a.description, a.amount, i.id, i.billing_id, a.attachment_name, a.created_at, a.updated_at
        FROM billing_avulsos a LEFT JOIN billing_pending_items i ON i.avulso_id = a.id
        """;

    private static AvulsoResponse ReadAvulso(NpgsqlDataReader r) => new(
        r.GetInt64(0), r.GetInt64(1), r.GetFieldValue<DateOnly>(2), r.GetFieldValue<DateOnly>(3), r.GetString(4), r.GetDecimal(5),
        r.IsDBNull(6) ? null : r.GetInt64(6), r.IsDBNull(7) ? null : r.GetInt64(7), r.IsDBNull(8) ? null : r.GetString(8),
        Utc(r.GetDateTime(9)), Utc(r.GetDateTime(10)));

    private static async Task<AvulsoResponse?> LoadAvulso(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(AvulsoSelect + " WHERE a.id = @id AND a.deleted_at IS NULL");
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? ReadAvulso(r) : null;
    }

    private static AvulsoCommand ToCommand(AvulsoRequest body) =>
        new(body.CustomerId!.Value, body.Date!.Value, body.DueDate ?? body.Date!.Value, body.Description!.Trim(), body.Amount!.Value);

    private static async Task<IResult> CreateAvulso(AvulsoRequest body, NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock,
        CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = await ValidateAvulso(body, conn, SaoPauloTime.Today(clock), ct);
        if (errors.Any) return errors.ToProblem();
        var id = await Owner(cluster).CreateAvulso(ToCommand(body));
        return TypedResults.Created($"/api/billing/avulsos/{id}", await LoadAvulso(db, id, ct));
    }

    private static async Task<IResult> ListAvulsos(NpgsqlDataSource db, CancellationToken ct, long? customerId = null)
    {
        await using var cmd = db.CreateCommand(AvulsoSelect +
            " WHERE a.deleted_at IS NULL AND (@c::bigint IS NULL OR a.customer_id = @c) ORDER BY a.customer_id, a.date, a.id");
        cmd.Parameters.Add(new NpgsqlParameter("c", NpgsqlDbType.Bigint) { Value = (object?)customerId ?? DBNull.Value });
        var list = new List<AvulsoResponse>();
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct)) list.Add(ReadAvulso(r));
        return TypedResults.Ok(list);
    }

    private static async Task<IResult> GetAvulso(long id, NpgsqlDataSource db, CancellationToken ct) =>
        await LoadAvulso(db, id, ct) is { } a ? TypedResults.Ok(a) : Problems.NotFound($"Valor avulso {id} não encontrado.");

    /// <summary>The avulso's customer and whether it is billed (read only; the grain checks again under a lock); null when not found.</summary>
    private static async Task<(long Customer, bool Billed)?> FindAvulso(NpgsqlDataSource db, long id, CancellationToken ct)
    {
        await using var cmd = db.CreateCommand(
            """
            SELECT a.customer_id, i.billing_id FROM billing_avulsos a JOIN billing_pending_items i ON i.avulso_id = a.id
            WHERE a.id = @id AND a.deleted_at IS NULL
            """);
        cmd.Parameters.AddWithValue("id", id);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        return await r.ReadAsync(ct) ? (r.GetInt64(0), !r.IsDBNull(1)) : null;
    }

    private static async Task<IResult> UpdateAvulso(long id, AvulsoRequest body, NpgsqlDataSource db, IClusterClient cluster, TimeProvider clock,
        CancellationToken ct)
    {
        if (await FindAvulso(db, id, ct) is not var (customer, billed)) return Problems.NotFound($"Valor avulso {id} não encontrado.");
        if (billed) return Problems.Conflict($"O valor avulso {id} está faturado: cancele o faturamento antes de alterá-lo.");
        if (body.CustomerId is { } other && other != customer)
            return Problems.Field("customerId", "O cliente de um valor avulso não muda: exclua-o e crie outro.");
        body = body with { CustomerId = customer };
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            var errors = await ValidateAvulso(body, conn, SaoPauloTime.Today(clock), ct);
            if (errors.Any) return errors.ToProblem();
        }
        var r = await Owner(cluster).UpdateAvulso(id, ToCommand(body));
        return r.IsOk ? TypedResults.Ok(await LoadAvulso(db, id, ct)) : CommandResults.ToProblem(r);
    }

    private static async Task<IResult> DeleteAvulso(long id, IClusterClient cluster)
    {
        var r = await Owner(cluster).DeleteAvulso(id);
        return r.IsOk ? TypedResults.NoContent() : CommandResults.ToProblem(r);
    }
}
