"""Views of results: the journey map canvas, charts and the report. Never queries the store."""

from parcours.render.canvas import Canvas, CanvasInput, journey_canvas

__all__ = ["Canvas", "CanvasInput", "journey_canvas"]
