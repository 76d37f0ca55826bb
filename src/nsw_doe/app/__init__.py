"""The report app: a Streamlit explorer of the published warehouse (`nsw-doe app`). `main.py` is the script
Streamlit runs; each page is a script in `views/`; `data.py` queries the warehouse and `layout.py` shows results."""
