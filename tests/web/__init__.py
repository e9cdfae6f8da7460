# How long a page waits for its background computation in the tests that read what it shows
# once computed (seconds; a loaded machine can be slow). tests/web/test_background.py makes
# pages wait less, to see them answer with their progress first.
LONG_WAIT = 300.0
