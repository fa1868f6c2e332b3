"""Embeddable figures: HTML cards for iframes (card), SVG cards and charts (svg), the
oEmbed answer (oembed) and embed.js (script, with the script itself in embed.js).

Everything is rendered from the same public models the JSON API returns, so an embed can
never show a different number; nothing here imports FastAPI. The routes are in
service.api.embed.
"""
