"""``postcheck find ARCHIVE``: every published photo, video and page that shows or names a pupil.

For withdrawn consent and safeguarding takedowns: the office names a pupil (``--pupil``) or asks for
everyone whose consent is refused or expired (``--refused``), and gets a list to review and take down.
Recall comes first: a face counts when it is within ``checks.faces.NEAR_DISTANCE`` of the pupil's
reference photos (the lenient distance used for refused pupils), and a name counts when ``check`` would
flag it for that pupil or when their first name stands alone.

One module each: ``archive.py`` walks the tree and sorts its files; ``index.py`` keeps every face's
encoding per file, keyed by content, so a second search decodes no photo again; ``pages.py`` reads a
saved web page's text and alt text; ``search.py`` matches faces and names; ``report.py`` writes text,
JSON or CSV; ``boxes.py`` draws ``--annotate`` copies; ``command.py`` runs it for the CLI.
"""
