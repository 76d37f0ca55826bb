"""The sections of the school profile page (views/school.py), one module each: its query (parameters, never values
in the SQL), pure helpers that shape rows into sentences, tables and chart specs (tested without a build), and a
`show` function the page calls. Nothing runs on import."""
