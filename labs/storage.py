"""Static files: compressed (gzip, and Brotli when installed) with hashed names.

WhiteNoise serves the hashed names with a year-long immutable cache. The ES modules'
own ``import ... from "./player.js"`` lines are rewritten to the hashed names too, so a
page and the modules it imports always agree on one version of each file.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    support_js_module_import_aggregation = True
