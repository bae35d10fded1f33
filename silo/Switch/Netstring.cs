using System.Globalization;

namespace Billing.Silo.Switch;

/// <summary>
/// Netstrings (<c>&lt;length&gt;:&lt;bytes&gt;,</c>), the framing of Kamailio's evapi with <c>netstring_format</c> 1.
/// <see cref="Encode"/> frames one payload; a <see cref="NetstringDecoder"/> cuts a byte stream into payloads.
/// </summary>
public static class Netstring
{
    /// <summary>Largest payload accepted (evapi's own buffer is 32 KiB; a switch event is a few hundred bytes).</summary>
    public const int DefaultMaxPayload = 64 * 1024;

    public static byte[] Encode(ReadOnlySpan<byte> payload)
    {
        var header = payload.Length.ToString(CultureInfo.InvariantCulture);
        var frame = new byte[header.Length + 1 + payload.Length + 1];
        for (var i = 0; i < header.Length; i++) frame[i] = (byte)header[i];
        frame[header.Length] = (byte)':';
        payload.CopyTo(frame.AsSpan(header.Length + 1));
        frame[^1] = (byte)',';
        return frame;
    }
}

/// <summary>What <see cref="NetstringDecoder.TryRead"/> found.</summary>
public enum NetstringRead
{
    /// <summary>No complete frame yet: append more bytes.</summary>
    NeedMore,
    /// <summary>A payload.</summary>
    Frame,
    /// <summary>A broken frame (bad length, missing comma): its bytes up to the next comma are dropped.</summary>
    Error,
}

/// <summary>
/// Cuts a stream into netstring payloads; pure (no I/O), fed with whatever each read returned, so frames may be split
/// across reads and a read may carry several frames. A broken frame is reported once and skipped up to the next
/// <c>,</c> so the stream goes on (a desynchronised peer produces errors, never a hang or an unbounded buffer).
/// </summary>
public sealed class NetstringDecoder(int maxPayload = Netstring.DefaultMaxPayload)
{
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _end;
    private bool _skipping;

    /// <summary>Bytes held and not yet returned as frames.</summary>
    public int Buffered => _end - _start;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (_end + data.Length > _buffer.Length)
        {
            var held = _end - _start;
            if (held + data.Length > _buffer.Length)
            {
                var bigger = new byte[Math.Max(_buffer.Length * 2, held + data.Length)];
                _buffer.AsSpan(_start, held).CopyTo(bigger);
                _buffer = bigger;
            }
            else
            {
                _buffer.AsSpan(_start, held).CopyTo(_buffer);
            }
            _start = 0;
            _end = held;
        }
        data.CopyTo(_buffer.AsSpan(_end));
        _end += data.Length;
    }

    /// <summary>The next payload (a copy), or why there is none; <paramref name="error"/> says what was wrong (pt-BR).</summary>
    public NetstringRead TryRead(out byte[] payload, out string? error)
    {
        payload = [];
        error = null;
        if (_skipping && !SkipPastComma()) return NetstringRead.NeedMore;
        var data = _buffer.AsSpan(_start, _end - _start);
        if (data.IsEmpty) return NetstringRead.NeedMore;

        var length = 0L;
        var digits = 0;
        while (digits < data.Length && data[digits] is >= (byte)'0' and <= (byte)'9')
        {
            length = length * 10 + (data[digits] - '0');
            digits++;
            if (length > maxPayload) return Broken($"Quadro netstring maior que {maxPayload} bytes.", out error);
        }
        if (digits == data.Length) return NetstringRead.NeedMore;
        if (digits == 0 || data[digits] != (byte)':')
            return Broken("Quadro netstring inválido: esperado '<tamanho>:'.", out error);
        var total = digits + 1 + (int)length + 1;
        if (data.Length < total) return NetstringRead.NeedMore;
        if (data[total - 1] != (byte)',')
            return Broken("Quadro netstring inválido: falta a vírgula final.", out error);
        payload = data.Slice(digits + 1, (int)length).ToArray();
        _start += total;
        if (_start == _end) _start = _end = 0;
        return NetstringRead.Frame;
    }

    private NetstringRead Broken(string message, out string? error)
    {
        error = message;
        _skipping = true;
        SkipPastComma();
        return NetstringRead.Error;
    }

    /// <summary>Drops bytes up to and including the next comma; false when none is buffered yet (all dropped).</summary>
    private bool SkipPastComma()
    {
        var i = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)',');
        if (i < 0)
        {
            _start = _end = 0;
            return false;
        }
        _start += i + 1;
        _skipping = false;
        return true;
    }
}
