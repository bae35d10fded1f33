using System.Collections.Immutable;

namespace Billing.GrainInterfaces.Rating;

/// <summary>
/// From <see cref="FromSecond"/> on (until the next slot starts), each started
/// <see cref="IncrementSeconds"/> is billed at <see cref="PricePerMinute"/> (reais, up to 6 decimals).
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.TariffSlot")]
public sealed record TariffSlot(int FromSecond, decimal PricePerMinute, int IncrementSeconds);

/// <summary>
/// How a call is charged: <see cref="ConnectFee"/> + Σ per slot of (seconds in the slot rounded up to the
/// slot's increment) × price ÷ 60, after raising the duration to <see cref="MinimumSeconds"/>; a call of at
/// most <see cref="FreeSeconds"/> costs nothing at all. The total is rounded once, to centavos, half away
/// from zero. Slots are ordered, the first starts at second 0, and every slot but the last spans a whole
/// number of its increments. Use <c>Billing.Grains.Rating.TariffCalculator</c> to rate.
/// </summary>
[GenerateSerializer, Immutable, Alias("Billing.Tariff")]
public sealed record Tariff(decimal ConnectFee, ImmutableArray<TariffSlot> Slots, int MinimumSeconds, int FreeSeconds)
{
    public const int MaxPriceDecimals = 6;

    /// <summary>Nothing is charged; billed seconds equal the duration.</summary>
    public static Tariff Free { get; } = new(0m, [new TariffSlot(0, 0m, 1)], 0, 0);

    /// <summary>The Brazilian 30/6 rule: first 30 s, then 6 s increments; calls up to 3 s are free.</summary>
    public static Tariff ThirtySix(decimal pricePerMinute, decimal connectFee = 0m) =>
        new(connectFee, [new TariffSlot(0, pricePerMinute, 30), new TariffSlot(30, pricePerMinute, 6)], 0, 3);

    /// <summary>One slot: every started <paramref name="increment"/> seconds at the price.</summary>
    public static Tariff Simple(decimal pricePerMinute, int increment, decimal connectFee = 0m, int minimumSeconds = 0, int freeSeconds = 0) =>
        new(connectFee, [new TariffSlot(0, pricePerMinute, increment)], minimumSeconds, freeSeconds);

    /// <summary>
    /// The problems of this tariff as (camelCase field path under <paramref name="field"/>, pt-BR message);
    /// empty when it is valid.
    /// </summary>
    /// <summary>Largest second count a tariff may name (slot start, increment, minimum, free): one day, the longest call.</summary>
    public const int MaxSeconds = 86_400;

    public IReadOnlyList<KeyValuePair<string, string>> Validate(string field = "tariff")
    {
        var errors = new List<KeyValuePair<string, string>>();
        void Add(string f, string m) => errors.Add(new(f, m));

        if (ConnectFee < 0) Add($"{field}.connectFee", "A taxa de conexão não pode ser negativa.");
        else if (Decimals(ConnectFee) > MaxPriceDecimals) Add($"{field}.connectFee", "A taxa de conexão aceita no máximo 6 casas decimais.");
        else if (Common.InputRules.Price(ConnectFee) is { } fee) Add($"{field}.connectFee", fee);
        if (MinimumSeconds < 0) Add($"{field}.minimumSeconds", "O tempo mínimo não pode ser negativo.");
        else if (Common.InputRules.Range(MinimumSeconds, 0, MaxSeconds) is { } min) Add($"{field}.minimumSeconds", min);
        if (FreeSeconds < 0) Add($"{field}.freeSeconds", "Os segundos gratuitos não podem ser negativos.");
        else if (Common.InputRules.Range(FreeSeconds, 0, MaxSeconds) is { } free) Add($"{field}.freeSeconds", free);
        if (Slots.IsDefaultOrEmpty)
        {
            Add($"{field}.slots", "Informe ao menos uma faixa de tarifação.");
            return errors;
        }
        for (var i = 0; i < Slots.Length; i++)
        {
            var s = Slots[i];
            var f = $"{field}.slots[{i}]";
            if (s is null)
            {
                Add(f, "Faixa vazia.");
                continue;
            }
            if (i == 0 && s.FromSecond != 0) Add($"{f}.fromSecond", "A primeira faixa deve começar no segundo 0.");
            if (i > 0 && Slots[i - 1] is { } prev && s.FromSecond <= prev.FromSecond)
                Add($"{f}.fromSecond", "As faixas devem estar em ordem crescente de início.");
            if (s.FromSecond > MaxSeconds) Add($"{f}.fromSecond", Common.InputRules.Range(s.FromSecond, 0, MaxSeconds)!);
            if (s.PricePerMinute < 0) Add($"{f}.pricePerMinute", "O preço por minuto não pode ser negativo.");
            else if (Decimals(s.PricePerMinute) > MaxPriceDecimals) Add($"{f}.pricePerMinute", "O preço por minuto aceita no máximo 6 casas decimais.");
            else if (Common.InputRules.Price(s.PricePerMinute) is { } price) Add($"{f}.pricePerMinute", price);
            if (s.IncrementSeconds < 1) Add($"{f}.incrementSeconds", "O incremento deve ser de pelo menos 1 segundo.");
            else if (s.IncrementSeconds > MaxSeconds) Add($"{f}.incrementSeconds", Common.InputRules.Range(s.IncrementSeconds, 1, MaxSeconds)!);
            else if (i + 1 < Slots.Length && Slots[i + 1] is { } next && next.FromSecond > s.FromSecond
                     && (next.FromSecond - s.FromSecond) % s.IncrementSeconds != 0)
                Add($"{f}.incrementSeconds", "A duração da faixa deve ser múltipla do seu incremento.");
        }
        return errors;
    }

    /// <summary>Significant decimals only: 0.100000000 has 1.</summary>
    public static int Decimals(decimal d) => (decimal.GetBits(d / 1.000000000000000000000000000000000m)[3] >> 16) & 0xFF;
}
