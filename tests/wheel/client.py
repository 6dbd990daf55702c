"""Runs inside the fresh venv that holds only the built wheel and pyarrow: no cargo, no rustc,
no source tree. Queries the emulator named by ROE_BASE_URL and checks every row, so a wheel
that imports but decodes wrongly fails too."""

from __future__ import annotations

import datetime
import shutil
import sys
from decimal import Decimal
from pathlib import Path

# Types chosen where a wrong build would show: a UInt64 past 2**63 (never through f64),
# decimals, NULLs, text, a DateTime64 in UTC, and an aggregate over a million rows.
SQL = """
SELECT
    number AS n,
    bitXor(toUInt64(18446744073709551615), number) AS big,
    toDecimal64(number, 2) / 4 AS quarter,
    if(number % 2 = 0, NULL, concat('row-', toString(number))) AS odd_label,
    toDateTime64('2024-02-29 23:59:59.125', 3, 'UTC') + toIntervalSecond(number) AS at
FROM numbers(5)
ORDER BY n
"""


def expected_rows() -> list[dict]:
    start = datetime.datetime(2024, 2, 29, 23, 59, 59, 125000, tzinfo=datetime.timezone.utc)
    return [
        {
            "n": n,
            "big": 2**64 - 1 - n,
            "quarter": Decimal(n * 25) / 100,
            "odd_label": None if n % 2 == 0 else f"row-{n}",
            "at": start + datetime.timedelta(seconds=n),
        }
        for n in range(5)
    ]


def main() -> int:
    # The point of the test: the wheel installs and runs where no Rust toolchain exists.
    assert shutil.which("cargo") is None, shutil.which("cargo")
    assert shutil.which("rustc") is None, shutil.which("rustc")

    import sqlquarry
    from sqlquarry import _native

    # Imported from this venv's site-packages, as the compiled abi3 module, not the checkout.
    venv = Path(sys.prefix).resolve()
    native = Path(_native.__file__).resolve()
    assert venv in native.parents, (native, venv)
    assert native.name.endswith(".abi3.so"), native.name

    roe = sqlquarry.RoeClient()  # ROE_BASE_URL, ROE_API_KEY, ROE_ORGANIZATION_ID
    result = roe.query(SQL)
    assert result.column_types == [
        "UInt64",
        "UInt64",
        "Decimal(18, 2)",
        "Nullable(String)",
        "DateTime64(3, 'UTC')",
    ], result.column_types
    got = result.to_arrow().to_pylist()
    assert got == expected_rows(), got

    total = roe.query("SELECT sum(number) AS s FROM numbers(1000000)").to_arrow()
    assert total.column("s").to_pylist() == [499999500000], total

    print(f"sqlquarry {sqlquarry.__version__} from {native}: {len(got)} rows as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
