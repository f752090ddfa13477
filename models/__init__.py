"""The database tables and the pure domain of dvtracker: roster, calendar, cycles, reports,
status, quorum and compilation rules. Nothing here imports Prefect or touches the network."""
