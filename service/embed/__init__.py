"""Embeddable figures: the HTML card for iframes (card), the SVG card and chart (svg), the
oEmbed answer (oembed) and the live-figure script (script, serving the real file embed.js).

Everything is rendered from the same public models the JSON API returns, so an embed can
never show a different number; nothing here imports FastAPI. The routes are in
service.api.embed.
"""
