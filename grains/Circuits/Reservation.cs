using System.Collections.Immutable;
using System.Text.Json;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Ledger;

namespace Billing.Grains.Circuits;

/// <summary>
/// The credit an authorized call holds: what it was granted (seconds, amount) and everything its complete needs to
/// rate it. Kept in the circuit's memory and, as a <see cref="CallHold"/>, durably in <c>call_holds</c>.
/// </summary>
internal sealed record Reservation(
    string CallId, string Destination, string Normalized, string CallType, CallDirection Direction, string? Caller,
    DateTimeOffset StartedAt, Tariff Tariff, int GrantedSeconds, decimal Amount, DateTimeOffset ExpiresAt)
{
    /// <summary>Inbound calls through a DID (also siga-me legs): who pays the completion of the inbound minutes.</summary>
    public InboundRoute? Route { get; init; }

    /// <summary>The plan entry's tariff windows (null: none); <see cref="Tariff"/> is then the entry's own tariff.</summary>
    public ImmutableArray<TariffWindow>? Windows { get; init; }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // the JSON of call_holds.data: explicit, so a change of the record never silently changes stored holds
    private sealed record SlotData(int From, decimal Price, int Increment);

    private sealed record RouteData(string Did, string Account, long? ResellerId, decimal CompletionPrice, bool AcceptsCollect, string? ForwardTo);

    private sealed record HoldData(
        string Destination, string Normalized, string CallType, string Direction, string? Caller, DateTimeOffset StartedAt,
        decimal ConnectFee, SlotData[] Slots, int MinimumSeconds, int FreeSeconds, RouteData? Route, WindowData[]? Windows = null);

    private sealed record WindowData(string[] Days, int From, int To, decimal ConnectFee, SlotData[] Slots, int MinimumSeconds, int FreeSeconds);

    private static SlotData[] SlotsOf(Tariff t) => [.. t.Slots.Select(s => new SlotData(s.FromSecond, s.PricePerMinute, s.IncrementSeconds))];

    private static Tariff TariffOf(decimal connectFee, SlotData[] slots, int minimumSeconds, int freeSeconds) =>
        new(connectFee, [.. slots.Select(s => new TariffSlot(s.From, s.Price, s.Increment))], minimumSeconds, freeSeconds);

    public CallHold ToHold(string account, DateTimeOffset now) => new()
    {
        Account = account,
        CallId = CallId,
        Amount = Amount,
        GrantedSeconds = GrantedSeconds,
        ExpiresAt = ExpiresAt,
        UpdatedAt = now,
        Data = JsonSerializer.Serialize(new HoldData(
            Destination, Normalized, CallType, Direction == CallDirection.Inbound ? "inbound" : "outbound", Caller, StartedAt,
            Tariff.ConnectFee, [.. Tariff.Slots.Select(s => new SlotData(s.FromSecond, s.PricePerMinute, s.IncrementSeconds))],
            Tariff.MinimumSeconds, Tariff.FreeSeconds,
            Route is null ? null : new RouteData(Route.Did, Route.Account, Route.ResellerId, Route.CompletionPricePerMinute, Route.AcceptsCollect, Route.ForwardTo),
            Windows is { IsDefaultOrEmpty: false } w
                ? [.. w.Select(x => new WindowData([.. x.Days.Select(TariffWindow.Name)], x.FromMinute, x.ToMinute,
                    x.Tariff.ConnectFee, SlotsOf(x.Tariff), x.Tariff.MinimumSeconds, x.Tariff.FreeSeconds))]
                : null),
            Json),
    };

    public static Reservation FromHold(CallHold hold)
    {
        ArgumentNullException.ThrowIfNull(hold);
        var d = JsonSerializer.Deserialize<HoldData>(hold.Data, Json)
                ?? throw new InvalidOperationException($"Reserva da chamada {hold.CallId} sem dados.");
        var tariff = TariffOf(d.ConnectFee, d.Slots, d.MinimumSeconds, d.FreeSeconds);
        return new Reservation(hold.CallId, d.Destination, d.Normalized, d.CallType,
            d.Direction == "inbound" ? CallDirection.Inbound : CallDirection.Outbound, d.Caller, d.StartedAt, tariff,
            hold.GrantedSeconds, hold.Amount, hold.ExpiresAt)
        {
            Route = d.Route is null ? null : new InboundRoute
            {
                Did = d.Route.Did,
                Account = d.Route.Account,
                ResellerId = d.Route.ResellerId,
                CompletionPricePerMinute = d.Route.CompletionPrice,
                AcceptsCollect = d.Route.AcceptsCollect,
                ForwardTo = d.Route.ForwardTo,
            },
            Windows = d.Windows is { Length: > 0 } windows
                ? [.. windows.Select(x => new TariffWindow(
                    [.. x.Days.Select(n => TariffWindow.TryParseDay(n, out var day) ? day : throw new InvalidOperationException($"Dia '{n}' desconhecido na reserva {hold.CallId}."))],
                    x.From, x.To, TariffOf(x.ConnectFee, x.Slots, x.MinimumSeconds, x.FreeSeconds)))]
                : null,
        };
    }
}
