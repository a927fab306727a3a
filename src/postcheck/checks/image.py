"""The image check: files that cannot be checked, and photos that give away where they were taken.

- ``image.unreadable`` (error): the file is not an image postcheck can decode (empty, truncated,
  damaged, mislabelled, a decompression bomb, an animation too long to check). Nothing in it
  could be checked, so the post fails.
- ``image.location`` (warning): the photo carries GPS or other location metadata, which can give
  away a child's home or school. ``postcheck ... --strip-metadata DIR`` writes clean copies.
"""

from __future__ import annotations

from typing import ClassVar, Iterator

from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost
from postcheck.wording import Quoted, Wording


def unreadable(display: str, reason: str) -> Finding:
    return Finding(
        rule="image.unreadable",
        severity=Severity.ERROR,
        wording=Wording.of("{file} {reason}; nothing in it could be checked, so it cannot be posted as it is.",
                           file=Quoted(display), reason=Quoted(reason)),
        file=display,
    )


class ImageCheck:
    id: ClassVar[str] = "image"

    def run(self, post: LoadedPost) -> Iterator[Finding]:
        for picture in post.pictures:
            if picture.has_location:
                yield Finding(
                    rule="image.location",
                    severity=Severity.WARNING,
                    wording=Wording.of(
                        "{file} carries GPS location data that could show where it was taken: "
                        "post a copy without it (postcheck --strip-metadata DIR writes one).",
                        file=Quoted(picture.display),
                    ),
                    file=picture.display,
                )
