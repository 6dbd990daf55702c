"""Every Content-Encoding the client asks for decodes to the same table as no encoding,
whole or streamed; a compressed body cut short is an error, never a hang or a wrong table."""

from __future__ import annotations

import pyarrow as pa
import pytest

import sqlquarry
from sqlquarry.testing import _compression

SQL = "SELECT number AS n, toString(number * 7) AS s, [number, 2] AS a FROM numbers(30000)"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_each_encoding_gives_the_identity_table(roe_server, roe_client, encoding):
    roe_server.compression = None
    plain = pa.table(roe_client.query(SQL))
    roe_server.compression = encoding
    assert pa.table(roe_client.query(SQL)).equals(plain)
    streamed = pa.Table.from_batches(list(roe_client.iter_batches(SQL, batch_rows=7000)))
    assert streamed.equals(plain)
    assert [b.num_rows for b in roe_client.iter_batches(SQL, batch_rows=7000)] == [7000] * 4 + [
        2000
    ]
    sent = [r for r in roe_server.requests if r.path == "/v1/database/query/"][-1]
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers["accept-encoding"] == "zstd, br, gzip, deflate"


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br", "zstd"])
def test_a_compressed_body_cut_short_is_an_error(roe_server, roe_client, encoding):
    body = roe_client._run_raw(SQL)
    squeezed = _compression.compress(body, encoding)
    roe_server.compression = encoding
    # The canned bytes are sent as they are, labelled with the encoding: a stream that
    # ends early inside a complete HTTP body.
    roe_server.serve_canned("cut", body[: len(body) // 2], encoded={encoding: squeezed[:-40]})
    with pytest.raises((sqlquarry.TransportError, sqlquarry.DecodeError)):
        roe_client.query("cut", timeout=30)


def test_batch_rows_must_be_positive(roe_client):
    with pytest.raises(sqlquarry.ConfigurationError, match="batch_rows"):
        roe_client.iter_batches("SELECT 1", batch_rows=0)
