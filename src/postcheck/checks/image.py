"""The image check: files that cannot be checked, and photos that give away where they were taken.

- ``image.unreadable`` (error): the file is not an image postcheck can decode (empty, truncated,
  damaged, mislabelled, a decompression bomb, an animation too long to check). Nothing in it
  could be checked, so the post fails.
- ``image.location`` (warning): the photo carries GPS or other location metadata, which can give
  away a child's home or school. ``postcheck ... --strip-metadata DIR`` writes clean copies.
"""

from __future__ import annotations

from typing import ClassVar, Iterator

from postcheck.catalogue import PICTURES, Rule, register_check
from postcheck.findings import Finding, Severity
from postcheck.post import LoadedPost
from postcheck.wording import Quoted, Wording

RULES = (
    Rule("image.unreadable", Severity.ERROR, "A file that cannot be checked",
         "The file is not an image or video postcheck can open (empty, damaged, not an image, a decompression "
         "bomb, too long), so nothing in it could be checked.",
         "Export the photo again as JPEG or PNG, or remove it."),
    Rule("image.location", Severity.WARNING, "A photo with location data",
         "The photo carries GPS or other location data that can show where it was taken, such as a child's home.",
         "Post a copy without location data (postcheck --strip-metadata DIR writes one)."),
)


def unreadable(display: str, reason: str) -> Finding:
    return Finding(
        rule="image.unreadable",
        severity=Severity.ERROR,
        wording=Wording.of("{file} {reason}; nothing in it could be checked, so it cannot be posted as it is.",
                           file=Quoted(display), reason=Quoted(reason)),
        file=display,
    )


@register_check(reads=[PICTURES], rules=RULES)
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
