"""Differential type testing: random ClickHouse schemas and values (chDB's generateRandom)
plus handwritten edge values, decoded by sqlquarry from each JSON rendering and compared
with ClickHouse's own answer. See README.md in this directory."""
