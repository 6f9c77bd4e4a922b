using System.Buffers;
using System.Text;

namespace OpsConsole.Data.Sqlite;

/// <summary>
/// Statement parameters for several rows, encoded before the write lock is taken: text as UTF-8 in one pooled buffer,
/// numbers as they are. Under the lock a row is only copied into a prepared statement (<see cref="Bind"/>); binding a
/// .NET string there would encode it and allocate while the other requests wait.
/// </summary>
internal sealed class EncodedRows(int columns, int rows) : IDisposable
{
    private enum Kind : byte { Null, Integer, Text }

    private readonly record struct Value(Kind Kind, long Integer, int Start, int Length);

    private Value[] _values = ArrayPool<Value>.Shared.Rent(columns * Math.Max(rows, 1));
    // About what a container exit's raw JSON and fields take; grown when a batch needs more.
    private byte[] _text = ArrayPool<byte>.Shared.Rent(768 * Math.Max(rows, 1));
    private int _count;
    private int _textUsed;

    public int Columns => columns;

    public void Add(string? text)
    {
        if (text is null)
        {
            Append(default);
            return;
        }
        EnsureText(Encoding.UTF8.GetMaxByteCount(text.Length));
        var length = Encoding.UTF8.GetBytes(text, _text.AsSpan(_textUsed));
        Append(new Value(Kind.Text, 0, _textUsed, length));
        _textUsed += length;
    }

    public void Add(long? number) => Append(number is { } n ? new Value(Kind.Integer, n, 0, 0) : default);

    public void Add(bool flag) => Add(flag ? 1L : 0L);

    /// <summary>Binds row <paramref name="row"/>'s values to parameters ?1 … ?<see cref="Columns"/>.</summary>
    public void Bind(RawStatement statement, int row)
    {
        var values = _values.AsSpan(row * columns, columns);
        for (var i = 0; i < values.Length; i++)
        {
            var value = values[i];
            switch (value.Kind)
            {
                case Kind.Text:
                    statement.Bind(i + 1, _text.AsSpan(value.Start, value.Length));
                    break;
                case Kind.Integer:
                    statement.Bind(i + 1, value.Integer);
                    break;
                default:
                    statement.Bind(i + 1, (string?)null);
                    break;
            }
        }
    }

    /// <summary>Forgets every row, keeping the buffers.</summary>
    public void Clear() => (_count, _textUsed) = (0, 0);

    private void Append(Value value)
    {
        if (_count == _values.Length) _values = Grow(_values, _count, _values.Length * 2);
        _values[_count++] = value;
    }

    private void EnsureText(int more)
    {
        if (_textUsed + more > _text.Length) _text = Grow(_text, _textUsed, Math.Max(_text.Length * 2, _textUsed + more));
    }

    private static T[] Grow<T>(T[] old, int used, int size)
    {
        var grown = ArrayPool<T>.Shared.Rent(size);
        old.AsSpan(0, used).CopyTo(grown);
        ArrayPool<T>.Shared.Return(old);
        return grown;
    }

    public void Dispose()
    {
        ArrayPool<Value>.Shared.Return(_values);
        ArrayPool<byte>.Shared.Return(_text);
        _values = [];
        _text = [];
    }
}
