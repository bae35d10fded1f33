using System.Collections.Immutable;
using Billing.GrainInterfaces.Circuits;
using Billing.GrainInterfaces.Rating;
using Billing.Grains.Ledger;
using Billing.Grains.Numbering;
using Billing.Grains.Rating;
using Microsoft.Extensions.Logging;

namespace Billing.Grains.Circuits;

public sealed partial class CircuitGrain
{
    private const string InboundType = CallTypes.Received;

    /// <summary>The wire name of a call type (<see cref="CallTypes.Wire"/>: a lookup, no string built per call).</summary>
    public static string Wire(CallType t) => CallTypes.Wire(t);

    // ---------------------------------------------------------------- rating with the cached plan

    private Plan? _plan;
    private string? _planFor;
    private DateTimeOffset _planLoadedAt;

    /// <summary>
    /// Rates a number the caller already classified, with the circuit's cached copy of its plan (all versions;
    /// refreshed every PlanCacheSeconds).
    /// </summary>
    private async ValueTask<CallRating> RateAsync(string planId, NumberClassification classification, int duration, DateTimeOffset start)
    {
        var now = Now;
        if (_planFor != planId || now - _planLoadedAt > TimeSpan.FromSeconds(_opt.PlanCacheSeconds))
        {
            _plan = await GrainFactory.GetGrain<IPlanGrain>("plan:" + planId).Get();
            _planFor = planId;
            _planLoadedAt = now;
        }
        if (_plan is null) return CallRating.Fail(CallRating.UnknownPlan, $"O plano '{planId}' não existe.", classification, planId);
        // tariff windows are read in the circuit's time zone and holidays; entries without windows never ask for them
        var context = _plan.VersionAt(start) is { } version && CallRater.EntryFor(version, classification.CallType) is { HasWindows: true }
            ? await ContextAsync()
            : null;
        return await PlanRating.RateClassifiedAsync(_plan, classification, duration, start,
            (deck, number) => GrainFactory.GetGrain<IRateDeckGrain>("deck:" + deck).Match(number), context);
    }

    // ---------------------------------------------------------------- tariff windows: time zone and holidays

    private RatingContext? _context;
    private string? _contextZone;
    private DateTimeOffset _contextLoadedAt;

    /// <summary>
    /// The circuit's time zone and holiday calendar (national + operator holidays, those of its customer's UF too),
    /// cached like the plan (refreshed every PlanCacheSeconds). Asked for only by calls whose entry has windows.
    /// </summary>
    private async ValueTask<RatingContext> ContextAsync()
    {
        var now = Now;
        var zoneId = _s.Data.TimeZone ?? CircuitData.DefaultTimeZone;
        if (_context is not null && _contextZone == zoneId && now - _contextLoadedAt <= TimeSpan.FromSeconds(_opt.PlanCacheSeconds))
            return _context;
        var holidays = GrainFactory.GetGrain<IHolidaysGrain>(IHolidaysGrain.Key).List();
        var customer = GrainFactory.GetGrain<Billing.GrainInterfaces.Registration.ICustomerGrain>(
            Billing.GrainInterfaces.Registration.CustomerKeys.For(_s.Data.CustomerId)).Get();
        var calendar = new HolidayCalendar(await holidays, (await customer)?.Data.Uf);
        _context = new RatingContext(RatingContext.FindZone(zoneId) ?? RatingContext.Default.Zone, calendar.IsHoliday);
        _contextZone = zoneId;
        _contextLoadedAt = now;
        return _context;
    }

    /// <summary>The windowed tariff of a reservation, or null when its entry has no windows (the plain, fast path).</summary>
    private WindowedTariff? WindowedOf(Tariff tariff, ImmutableArray<TariffWindow>? windows) =>
        windows is { IsDefaultOrEmpty: false } w ? new WindowedTariff(tariff, w, _context ?? RatingContext.Default) : null;

    private static RatedCall Price(Tariff tariff, WindowedTariff? windowed, DateTimeOffset start, int seconds) =>
        ReservationBook.Price(tariff, windowed, start, seconds);

    private static decimal FirstPrice(Tariff tariff, WindowedTariff? windowed, DateTimeOffset start) =>
        FirstPrice(windowed is null ? tariff : windowed.TariffAt(start));

    // ---------------------------------------------------------------- authorize / extend

    public async Task<AuthorizeResult> Authorize(AuthorizeRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (field, message) in CallInput.AuthorizeProblems(request))
        {
            // the edges check the same rules first; a caller that skipped them never reaches the database
            if (field == "destination") return AuthorizeResult.Refused(RefusalReasons.DestinoInvalido);
            throw new ArgumentException($"{field}: {message}", nameof(request));
        }
        if (!Live) return AuthorizeResult.Refused(RefusalReasons.CircuitoDesconhecido);
        if (_book.TryGet(request.CallId, out var existing))
            return new AuthorizeResult(true, existing.GrantedSeconds, existing.CallType,
                FirstPrice(existing.Tariff, WindowedOf(existing.Tariff, existing.Windows), existing.StartedAt), null)
            {
                ForwardTo = existing.Route is not null && existing.Direction == CallDirection.Outbound ? existing.Normalized : null,
            };
        if (_completed.ContainsKey(request.CallId) || _inflight.ContainsKey(request.CallId))
            return AuthorizeResult.Refused(RefusalReasons.ChamadaEncerrada);

        var now = Now;
        var chunk = _opt.ChunkSeconds;
        if (request.Direction == CallDirection.Inbound)
        {
            if (_s.Data.Status == CircuitStatus.Bloqueado) return Refuse(request.CallId, RefusalReasons.CircuitoBloqueado);
            var route = request.Inbound;
            if (InboundRefusal(request) is { } refusal) return Refuse(request.CallId, refusal);
            if (route?.ForwardTo is { } forwardTo && _s.Data.Flags.Sigame)
                return await AuthorizeOutboundAsync(request, forwardTo, route, now, chunk);
            return await ReserveDurablyAsync(new Reservation(request.CallId, route?.Did ?? request.Destination, route?.Did ?? request.Destination,
                InboundType, CallDirection.Inbound, request.Caller, now, Tariff.Free, chunk, 0m, now.AddSeconds(chunk + _opt.ReservationGraceSeconds))
            {
                Route = route,
            }, new AuthorizeResult(true, chunk, InboundType, 0m, null));
        }
        return await AuthorizeOutboundAsync(request, request.Destination, null, now, chunk);
    }

    /// <summary>
    /// An outbound call of this circuit — dialled by its customer, or the forwarded (siga-me) leg of an inbound
    /// call, which is classified, rated and balance-checked exactly the same way.
    /// </summary>
    private async Task<AuthorizeResult> AuthorizeOutboundAsync(AuthorizeRequest request, string destination, InboundRoute? route,
        DateTimeOffset now, int chunk)
    {
        var forwardTo = route is null ? null : destination;
        var classified = NumberClassifier.Classify(_s.Data.AreaCode, destination);
        if (!classified.IsValid) return Refuse(request.CallId, RefusalReasons.DestinoInvalido);
        var c = classified.Classification!;
        if (c.CallType == CallType.Emergencia)
        {
            // emergency and utility numbers: free, never blocked by status or balance
            return await ReserveDurablyAsync(new Reservation(request.CallId, destination, c.NormalizedNumber, Wire(c.CallType), CallDirection.Outbound,
                    request.Caller, now, Tariff.Free, chunk, 0m, now.AddSeconds(chunk + _opt.ReservationGraceSeconds)) { Route = route },
                new AuthorizeResult(true, chunk, Wire(c.CallType), 0m, null) { ForwardTo = forwardTo is null ? null : c.NormalizedNumber },
                emergency: true);
        }
        if (_s.Data.Status == CircuitStatus.Bloqueado) return Refuse(request.CallId, RefusalReasons.CircuitoBloqueado);
        if (_s.Data.PlanId is not { } planId) return Refuse(request.CallId, RefusalReasons.DestinoNaoPermitido);

        var rating = await RateAsync(planId, c, 0, now);
        if (!rating.Ok || rating.Tariff is null)
            return Refuse(request.CallId, rating.Error == CallRating.InvalidDestination
                ? RefusalReasons.DestinoInvalido
                : RefusalReasons.DestinoNaoPermitido);

        // after the await: the same call may have been authorized meanwhile (retry of the switch)
        if (_book.TryGet(request.CallId, out var existing))
            return new AuthorizeResult(true, existing.GrantedSeconds, existing.CallType,
                FirstPrice(existing.Tariff, WindowedOf(existing.Tariff, existing.Windows), existing.StartedAt), null)
            {
                ForwardTo = existing.Route is null ? null : existing.Normalized,
            };

        var tariff = rating.Tariff;
        var windowed = WindowedOf(tariff, rating.Windows);
        var granted = ReservationBook.Grant(tariff, windowed, now, 0, Available, chunk);
        if (granted == 0) return Refuse(request.CallId, RefusalReasons.SaldoInsuficiente);
        var amount = Price(tariff, windowed, now, granted).Cost;
        var type = Wire(rating.Classification!.CallType);
        return await ReserveDurablyAsync(new Reservation(request.CallId, destination, rating.Classification.NormalizedNumber, type,
            CallDirection.Outbound, request.Caller, now, tariff, granted, amount,
            now.AddSeconds(granted + _opt.ReservationGraceSeconds)) { Route = route, Windows = windowed?.Windows },
            new AuthorizeResult(true, granted, type, FirstPrice(tariff, windowed, now), null)
            {
                ForwardTo = forwardTo is null ? null : rating.Classification.NormalizedNumber,
            });
    }

    private static decimal FirstPrice(Tariff t) => t.Slots.IsDefaultOrEmpty ? 0m : t.Slots[0].PricePerMinute;

    /// <summary>
    /// Reserves in memory at once (concurrent authorizes see the credit taken), then waits for the hold to be durable
    /// before answering: a circuit restarted after the answer reloads it and never grants that credit again. An
    /// emergency call is answered even when the hold cannot be written (never blocked); any other call is not.
    /// </summary>
    private async Task<AuthorizeResult> ReserveDurablyAsync(Reservation r, AuthorizeResult answer, bool emergency = false)
    {
        _book.Put(r);
        AppendOutcome outcome;
        try
        {
            outcome = await ledger.HoldAsync(r.ToHold(_account, Now));
        }
        catch (Exception e) when (emergency)
        {
            log.LogError(e, "Circuito {Account}: reserva da chamada de emergência {CallId} não gravada; liberada assim mesmo", _account, r.CallId);
            return answer;
        }
        catch
        {
            _book.Withdraw(r);
            throw;
        }
        if (outcome == AppendOutcome.Written || emergency)
        {
            CheckLowBalance(lifted: false);
            return answer;
        }
        _book.Withdraw(r);
        return Refuse(r.CallId, RefusalReasons.DestinoInvalido);
    }

    private AuthorizeResult Refuse(string callId, string reason)
    {
        _book.MarkRefused(callId);
        return AuthorizeResult.Refused(reason);
    }

    public async Task<ExtendResult> Extend(string callId)
    {
        if (!Live) return new ExtendResult(false, 0, 0, RefusalReasons.CircuitoDesconhecido);
        if (!_book.TryGet(callId, out var r))
            return new ExtendResult(false, 0, 0,
                _completed.ContainsKey(callId) ? RefusalReasons.ChamadaEncerrada : RefusalReasons.ChamadaDesconhecida);
        var now = Now;
        var chunk = _opt.ChunkSeconds;
        if (r.Windows is not null)
        {
            await ContextAsync();
            // the reservation may have changed while the calendar was read
            if (!_book.TryGet(callId, out r))
                return new ExtendResult(false, 0, 0,
                    _completed.ContainsKey(callId) ? RefusalReasons.ChamadaEncerrada : RefusalReasons.ChamadaDesconhecida);
        }
        var windowed = WindowedOf(r.Tariff, r.Windows);
        Reservation next;
        ExtendResult answer;
        if (r.Amount == 0m && Price(r.Tariff, windowed, r.StartedAt, r.GrantedSeconds + chunk).Cost == 0m)
        {
            next = r with { GrantedSeconds = r.GrantedSeconds + chunk, ExpiresAt = now.AddSeconds(chunk + _opt.ReservationGraceSeconds) };
            answer = new ExtendResult(true, chunk, next.GrantedSeconds, null);
        }
        else
        {
            if (r.Direction == CallDirection.Outbound && _s.Data.Status == CircuitStatus.Bloqueado && r.CallType != Wire(CallType.Emergencia))
                return new ExtendResult(false, 0, r.GrantedSeconds, RefusalReasons.CircuitoBloqueado);
            var more = ReservationBook.Grant(r.Tariff, windowed, r.StartedAt, r.GrantedSeconds, Available, chunk);
            if (more == 0) return new ExtendResult(false, 0, r.GrantedSeconds, RefusalReasons.SaldoInsuficiente);
            var total = r.GrantedSeconds + more;
            next = r with { GrantedSeconds = total, Amount = Price(r.Tariff, windowed, r.StartedAt, total).Cost, ExpiresAt = now.AddSeconds(more + _opt.ReservationGraceSeconds) };
            answer = new ExtendResult(true, more, total, null);
        }
        // the larger hold counts at once, and is durable before the switch hears of it
        _book.Put(next);
        AppendOutcome outcome;
        try
        {
            outcome = await ledger.HoldAsync(next.ToHold(_account, now));
        }
        catch
        {
            _book.Restore(next, r);
            throw;
        }
        if (outcome == AppendOutcome.Written)
        {
            CheckLowBalance(lifted: false);
            return answer;
        }
        _book.Restore(next, r);
        return new ExtendResult(false, 0, r.GrantedSeconds, RefusalReasons.ChamadaDesconhecida);
    }

    // ---------------------------------------------------------------- complete

    public async Task<CompleteResult> Complete(CompleteRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        foreach (var (field, message) in CallInput.CompleteProblems(request, Now, _opt.MaxDurationSeconds, _opt.TimestampPastDays, _opt.TimestampFutureDays))
            return Invalid(request.CallId, field, message);
        if (!Live) return new CompleteResult { Status = CompleteStatus.UnknownCircuit, CallId = request.CallId, Reason = RefusalReasons.CircuitoDesconhecido };
        if (_completed.TryGetValue(request.CallId, out var done)) return done with { Status = CompleteStatus.Duplicate };
        if (_inflight.TryGetValue(request.CallId, out var running)) return (await running) with { Status = CompleteStatus.Duplicate };

        var tcs = new TaskCompletionSource<CompleteResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        _inflight[request.CallId] = tcs.Task;
        try
        {
            var result = await CompleteCoreAsync(request);
            tcs.SetResult(result);
            return result;
        }
        catch (Exception e)
        {
            tcs.SetException(e);
            _ = tcs.Task.Exception; // observed
            throw;
        }
        finally
        {
            _inflight.Remove(request.CallId);
        }
    }

    private static CompleteResult Invalid(string callId, string field, string reason) =>
        new() { Status = CompleteStatus.Invalid, CallId = callId, Field = field, Reason = reason };

    private async Task<CompleteResult> CompleteCoreAsync(CompleteRequest request)
    {
        var now = Now;
        var duration = request.DurationSeconds;
        Tariff tariff;
        ImmutableArray<TariffWindow>? windows = null;
        string destination, normalized, callType;
        CallDirection direction;
        string? caller;
        DateTimeOffset startedAt;
        InboundRoute? route = null;

        if (_book.TryGet(request.CallId, out var r))
        {
            (tariff, destination, normalized, callType, direction, caller) = (r.Tariff, r.Destination, r.Normalized, r.CallType, r.Direction, r.Caller);
            route = r.Route;
            windows = r.Windows;
            startedAt = request.AnsweredAt ?? request.StartedAt ?? r.StartedAt;
            // the calendar of a windowed call (cached); this call's complete is guarded by _inflight meanwhile
            if (windows is not null) await ContextAsync();
        }
        else
        {
            // a switch that did not ask (or a CDR import): rate from the CDR itself
            if (_book.WasRefused(request.CallId) && request.Source == "api")
                return Invalid(request.CallId, "callId", "Esta chamada foi recusada na autorização e não pode ser tarifada.");
            if (string.IsNullOrWhiteSpace(request.Destination))
            {
                // a retried complete that this activation does not remember (it restarted, or the call is older than
                // what it keeps): the ledger has the first answer
                if (await ledger.FindCallAsync(request.CallId) is { } prior) return Settled(request.CallId, prior);
                return new CompleteResult
                {
                    Status = CompleteStatus.UnknownCall, CallId = request.CallId, Field = "destination",
                    Reason = "Chamada sem autorização prévia: informe account e destination no complete.",
                };
            }
            destination = request.Destination;
            direction = request.Direction;
            caller = request.Caller;
            startedAt = request.AnsweredAt ?? request.StartedAt ?? now.AddSeconds(-duration);
            if (direction == CallDirection.Inbound)
            {
                (tariff, normalized, callType) = (Tariff.Free, destination, InboundType);
                route = await InboundRouteOfCdrAsync(destination);
                if (route is not null) normalized = route.Did;
            }
            else
            {
                var classified = NumberClassifier.Classify(_s.Data.AreaCode, destination);
                if (!classified.IsValid)
                    return Invalid(request.CallId, "destination", classified.Reason ?? "Destino inválido.");
                var c = classified.Classification!;
                if (c.CallType == CallType.Emergencia)
                {
                    (tariff, normalized, callType) = (Tariff.Free, c.NormalizedNumber, Wire(c.CallType));
                }
                else
                {
                    if (_s.Data.PlanId is not { } planId)
                        return Invalid(request.CallId, "destination", "O circuito não tem plano: destino não permitido.");
                    var rating = await RateAsync(planId, c, duration, startedAt);
                    if (!rating.Ok || rating.Tariff is null)
                        return Invalid(request.CallId, "destination", rating.Message ?? "Destino não permitido pelo plano.");
                    (tariff, normalized, callType) = (rating.Tariff, rating.Classification!.NormalizedNumber, Wire(rating.Classification.CallType));
                    windows = rating.Windows;
                }
            }
            if (_completed.TryGetValue(request.CallId, out var meanwhile)) return meanwhile with { Status = CompleteStatus.Duplicate };
        }

        // synchronous from here to the append: settle the reservation and charge the live balance
        var windowed = WindowedOf(tariff, windows);
        var rated = Price(tariff, windowed, startedAt, duration);
        // inbound minutes through a reseller's DID: the reseller pays their completion (per second, rounded once)
        var resellerAmount = route?.ResellerId is null ? (decimal?)null : CompletionCost(route.CompletionPricePerMinute, duration);
        var authorized = _book.TryRelease(request.CallId, out var settled);
        var entry = new LedgerEntry
        {
            Account = _account,
            Seq = _view.TakeSeq(),
            Kind = LedgerKind.Call,
            Amount = -rated.Cost,
            BalanceAfter = _view.Balance - rated.Cost,
            CallId = request.CallId,
            Direction = direction == CallDirection.Inbound ? "inbound" : "outbound",
            Destination = destination,
            Normalized = normalized,
            CallType = callType,
            StartedAt = startedAt,
            AnsweredAt = request.AnsweredAt,
            DurationSeconds = duration,
            BilledSeconds = rated.BilledSeconds,
            PricePerMinute = FirstPrice(tariff, windowed, startedAt),
            HangupCause = request.HangupCause,
            Caller = caller,
            Period = Billing.GrainInterfaces.Common.BillingPeriod.Of(startedAt, _s.Data.Invoice.ClosingDay).Key,
            Source = request.Source,
            CreatedAt = now,
            ResellerId = route?.ResellerId,
            ResellerAmount = resellerAmount,
            Did = route?.Did,
            Description = route?.ForwardTo is not null && direction == CallDirection.Outbound ? "siga-me " + route.Did : null,
        };
        _view.Charge(entry, rated.Cost);

        AppendOutcome outcome;
        try
        {
            outcome = await ledger.AppendAsync(entry);
        }
        catch
        {
            // outcome unknown: the row may be committed. Undo in memory, never snapshot this activation
            // again, and let the next activation rebuild from the ledger (and reload the still-open holds).
            _view.Revert(entry);
            if (authorized) _book.Put(settled!);
            _poisoned = true;
            DeactivateOnIdle();
            throw;
        }

        switch (outcome)
        {
            case AppendOutcome.Written:
            {
                _view.Resolve(entry.Seq, entry);
                CheckLowBalance(lifted: false);
                var result = ResultOf(entry, CompleteStatus.Rated);
                RememberCall(request.CallId, result);
                if (authorized) result = result with { Authorized = true };
                if (entry.ResellerId is { } resellerId)
                    _ = GrainFactory.GetGrain<Billing.GrainInterfaces.Resellers.IResellerGrain>(
                            Billing.GrainInterfaces.Resellers.ResellerKeys.For(resellerId))
                        .RecordCompletion(entry.CallId!, entry.StartedAt ?? now, entry.DurationSeconds ?? 0, entry.ResellerAmount ?? 0m);
                return result;
            }
            case AppendOutcome.Duplicate:
            {
                _view.Revert(entry);
                _view.Resolve(entry.Seq, null);
                var first = await ledger.FindCallAsync(request.CallId)
                            ?? throw new InvalidOperationException("Chamada duplicada não encontrada no razão.");
                return Settled(request.CallId, first);
            }
            case AppendOutcome.Refused:
            {
                // the database refused this row's content: only this call fails; its reservation stays for a clean retry
                _view.Revert(entry);
                _view.Resolve(entry.Seq, null);
                if (authorized) _book.Put(settled!);
                var (field, reason) = LedgerRefusal.Explain(entry);
                return Invalid(request.CallId, field, reason);
            }
            default:
                _view.Revert(entry);
                if (authorized) _book.Put(settled!);
                _poisoned = true;
                DeactivateOnIdle();
                throw new InvalidOperationException($"Circuito {_account}: sequência {entry.Seq} já usada por outra ativação; recarregando.");
        }
    }

    /// <summary>
    /// The answer to a complete of a call the ledger already has: its first result when it is this circuit's, a
    /// conflict naming the call id and its circuit when another circuit's (never that circuit's cost).
    /// </summary>
    private CompleteResult Settled(string callId, LedgerEntry first)
    {
        if (!string.Equals(first.Account, _account, StringComparison.Ordinal))
            return new CompleteResult
            {
                Status = CompleteStatus.Conflict, CallId = callId, Field = "callId",
                Reason = $"O identificador de chamada {callId} já foi usado pelo circuito {first.Account}; nada foi cobrado.",
            };
        var result = ResultOf(first, CompleteStatus.Rated);
        RememberCall(callId, result);
        return result with { Status = CompleteStatus.Duplicate };
    }

}
