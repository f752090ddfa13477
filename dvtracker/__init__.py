"""dvtracker: the periodic reporting cycle of Vietnam's state administration, on Prefect."""

__version__ = "0.1.0"
