"""What identifies the running release's templates and static files, for ETags of rendered pages."""

import functools
import hashlib

from django.conf import settings


@functools.cache
def release_stamp() -> str:
    """A hash of the templates' and static files' names, sizes and times, computed once per process.

    A deploy that changes a template changes every ETag built with it, so no browser
    keeps a page rendered by the old template.
    """
    digest = hashlib.sha256()
    for folder in [settings.BASE_DIR / "templates", settings.BASE_DIR / "static"]:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                stat = path.stat()
                digest.update(f"{path.relative_to(folder)}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]
