"""Static files in production: WhiteNoise's hashed, compressed files, gzip only.

Brotli at its highest quality (WhiteNoise's choice when the brotli module is installed, as WeasyPrint's fonttools
installs it) spends minutes of CPU at every collectstatic on the USWDS files for a few percent less transfer.
"""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        return super().create_compressor(**{**kwargs, "use_brotli": False})
