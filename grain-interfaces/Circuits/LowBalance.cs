using System.Collections.Immutable;
using System.ComponentModel.DataAnnotations;
using Billing.GrainInterfaces.Common;

namespace Billing.GrainInterfaces.Circuits;

/// <summary>
/// Low-balance alerts (issue 19), section <see cref="Section"/>: the thresholds a circuit without its own
/// <see cref="CircuitData.LowBalanceThresholds"/> uses. Bound by the silos (alerts) and the API (the admin list's
/// "saldo baixo" filter) from the same keys, e.g. <c>Billing__LowBalance__DefaultThresholds__0=10</c>; a bad list stops
/// the host at start naming the setting. Empty (the default): such circuits have no alerts.
/// </summary>
public sealed class LowBalanceOptions : IValidatableObject
{
    public const string Section = "Billing:LowBalance";

    public decimal[] DefaultThresholds { get; set; } = [];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (LowBalanceRules.Problem(DefaultThresholds) is { } problem)
            yield return new ValidationResult(problem, [nameof(DefaultThresholds)]);
    }
}

/// <summary>The rules of low-balance thresholds (amounts in reais the available balance is watched against).</summary>
public static class LowBalanceRules
{
    /// <summary>At most this many thresholds per circuit.</summary>
    public const int MaxThresholds = 5;

    /// <summary>The webhook event of a crossing: <c>{account, threshold, available}</c>.</summary>
    public const string WebhookEvent = "circuit.balance_low";

    /// <summary>The pt-BR problem of a list of thresholds, or null: each 0 … 10 000 000 with ≤ 2 decimals, distinct, at most 5.</summary>
    public static string? Problem(IReadOnlyList<decimal>? thresholds)
    {
        if (thresholds is null) return null;
        if (thresholds.Count > MaxThresholds) return $"No máximo {MaxThresholds} limites de saldo baixo.";
        foreach (var t in thresholds)
        {
            if (t < 0) return "Os limites de saldo baixo não podem ser negativos.";
            if (t > 10_000_000m) return "Limite de saldo baixo grande demais.";
            if (!Money.HasAtMostTwoDecimals(t)) return "Use no máximo 2 casas decimais (centavos) nos limites de saldo baixo.";
        }
        if (thresholds.Distinct().Count() != thresholds.Count) return "Os limites de saldo baixo não podem se repetir.";
        return null;
    }

    /// <summary>The thresholds in force: the circuit's own, else the default; highest first.</summary>
    public static ImmutableArray<decimal> Effective(ImmutableArray<decimal>? own, IReadOnlyList<decimal> defaults)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        var list = own is { IsDefault: false } o ? (IEnumerable<decimal>)o : defaults;
        return [.. list.Distinct().OrderDescending()];
    }

    /// <summary>The highest threshold <paramref name="available"/> is below (strictly), or null when it is below none.</summary>
    public static decimal? Below(decimal available, ImmutableArray<decimal> thresholds)
    {
        foreach (var t in thresholds.OrderDescending())
            if (available < t) return t;
        return null;
    }
}

/// <summary>A circuit's low-balance situation as its grain sees it now (portal banner, admin).</summary>
[GenerateSerializer, Immutable, Alias("Billing.LowBalanceStatus")]
public sealed record LowBalanceStatus
{
    /// <summary>Thresholds in force (own or default), highest first.</summary>
    [Id(0)] public ImmutableArray<decimal> Thresholds { get; init; } = [];
    /// <summary>Balance + credit limit − what calls in progress hold.</summary>
    [Id(1)] public decimal Available { get; init; }
    /// <summary>The highest threshold the available balance is below, or null.</summary>
    [Id(2)] public decimal? Below { get; init; }
    /// <summary>Thresholds whose alert was sent and not yet re-armed by a credit.</summary>
    [Id(3)] public ImmutableArray<decimal> Fired { get; init; } = [];
}
