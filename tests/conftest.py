# The emulator's fixtures (roe_server, roe_client, sqlquarry_roe_server) come from the
# sqlquarry pytest plugin, registered by the installed package's `pytest11` entry point.
