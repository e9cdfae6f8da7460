"""Maison Lumière: a simulated omnichannel retailer with planted frictions, for demos and tests."""

from parcours.demo.planted import CHANNELS, PERSONAS, PLANTED, VOCABULARY
from parcours.demo.simulate import DemoData, simulate, simulate_chunks

__all__ = [
    "CHANNELS",
    "PERSONAS",
    "PLANTED",
    "VOCABULARY",
    "DemoData",
    "simulate",
    "simulate_chunks",
]
